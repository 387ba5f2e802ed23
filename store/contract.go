package store

// The store contract. What the rest of the program needs of a store, in small interfaces named
// by who needs them: the panes (Directory, Planning, Visiting, Ledgering, Revisiting,
// Overseeing, FactSheets, Drafts), the admin verbs (Accounts, Importer, Privacy for exports,
// Backups), the read models (Feed, Clock) and the seeders (Loading). Engine is all of them:
// what a server opens. The Badger engine (*Store) implements it, checked at compile time
// below; a second engine (PostgreSQL) implements the same and must pass the one conformance
// suite, sanbai/store/storetest, which `make test` runs on every engine.
//
// Every method that reads or writes campaign data takes the caller's context first — a
// session's, so that its loads stop when it ends: a call made with a done context returns the
// context's error and writes nothing, and a long read (a county's concerns) stops within a few
// hundred rows. Then it takes the Actor asking, and is scoped and masked by the engine itself
// (scope.go, privacy.go): an engine never returns a row outside the actor's villages and
// grids, nor a full ID number or phone but through Reveal and PersonalData. Every write is one
// transaction that reads what it changes, records its audit events in that transaction,
// retries a conflict a bounded number of times, and publishes its changes on the Feed after it
// commits. An audit event's Key names its row the way the Badger engine keys it
// (kind/village/…/ID, as concern/DL/DL-0042): the trail's scope and an import's conflict
// report read it, so every engine writes the same.

import (
	"context"
	"io"
	"time"
)

// Clock is the engine's time: every "today" of the rules and the panes is read from it.
type Clock interface {
	// Now returns the engine's clock reading.
	Now() time.Time
	// Today returns Now's date as YYYY-MM-DD.
	Today() string
}

// Feed is the change feed: the changes of every committed write, after the commit, to the
// read models (Hub.Observe) and the sessions (Hub.Subscribe).
type Feed interface {
	// Hub returns the fan-out the engine publishes on.
	Hub() *Hub
}

// Directory reads the township's places and people (pane 1, the forms' pickers, exports, the
// household card).
type Directory interface {
	Township(ctx context.Context) (Township, error)
	Empty(ctx context.Context) (bool, error)
	Villages(ctx context.Context, a Actor) ([]Village, error)
	Grids(ctx context.Context, a Actor) ([]Grid, error)
	Households(ctx context.Context, a Actor) ([]Household, error)
	HouseholdRefs(ctx context.Context, a Actor) ([]*Household, error)
	Household(ctx context.Context, a Actor, village, id string) (Household, error)
	Members(ctx context.Context, a Actor) ([]Member, error)
	Cadres(ctx context.Context, a Actor) ([]Cadre, error)
	Officials(ctx context.Context, a Actor) ([]Official, error)
	Teams(ctx context.Context, a Actor) ([]Team, error)
	HouseholdCard(ctx context.Context, a Actor, village, id string) (Card, error)
}

// Privacy hands out full personal numbers, each time in the audit trail, and reads the trail.
type Privacy interface {
	Reveal(ctx context.Context, a Actor, village, household, resident, field string) (string, error)
	PersonalData(ctx context.Context, a Actor, what, village string) (Personal, error)
	AuditExport(ctx context.Context, a Actor, what, village string) error
	Audit(ctx context.Context, a Actor, limit int) ([]AuditEvent, error)
}

// Planning is pane 1's: visit groups and teams, routes, and residents reached another way.
type Planning interface {
	Groups(ctx context.Context, a Actor) ([]Group, error)
	Routes(ctx context.Context, a Actor) ([]Route, error)
	Reaches(ctx context.Context, a Actor) ([]Reach, error)
	SaveGroup(ctx context.Context, a Actor, g Group) (Group, []RuleIssue, error)
	DissolveGroup(ctx context.Context, a Actor, village, id string) error
	SaveRoute(ctx context.Context, a Actor, r Route) error
	ReplaceGroups(ctx context.Context, a Actor, village string, groups []Group) ([]Group, error)
	RecordReach(ctx context.Context, a Actor, village, household, resident, how, note string) (Reach, error)
	SetTeamCaptain(ctx context.Context, a Actor, village, cadre string) (Team, error)
	AddTeamOfficer(ctx context.Context, a Actor, village, cadre string) (Team, error)
	RemoveTeamOfficer(ctx context.Context, a Actor, village, cadre string) (Team, error)
}

// Visiting is pane 2's: the registration forms.
type Visiting interface {
	Visits(ctx context.Context, a Actor) ([]Visit, error)
	VisitVersions(ctx context.Context, a Actor, village, id string) ([]Visit, error)
	CampaignStart(ctx context.Context, a Actor) (string, error)
	SaveVisit(ctx context.Context, a Actor, d VisitDraft) (Visit, []Concern, error)
}

// Ledgering is pane 3's: the concerns, their triage and lead projects.
type Ledgering interface {
	Concerns(ctx context.Context, a Actor) ([]Concern, error)
	ConcernChunks(ctx context.Context, a Actor, each func(seq int, cs []Concern)) error
	Concern(ctx context.Context, a Actor, id string) (Concern, error)
	Owners(ctx context.Context, a Actor, concernID string) ([]Owner, error)
	OwnersAt(ctx context.Context, a Actor, village, grid string, tier Tier) ([]Owner, error)
	Limits(ctx context.Context) (Limits, error)
	SetLimits(ctx context.Context, a Actor, l Limits) error
	Triage(ctx context.Context, a Actor, id string, rev int, op Op) (Concern, error)
	SetTag(ctx context.Context, a Actor, id string, tag Tag) (Concern, error)
	Projects(ctx context.Context, a Actor) ([]Project, error)
	CreateProject(ctx context.Context, a Actor, title string, ids []string) (Project, error)
	ResolveProject(ctx context.Context, a Actor, id, what string) (Project, error)
}

// Revisiting is pane 4's: the revisit forms, their deadlines and supervision.
type Revisiting interface {
	Revisits(ctx context.Context, a Actor) ([]Revisit, error)
	RevisitDeadlines(ctx context.Context, a Actor) (map[string]string, error)
	SaveRevisits(ctx context.Context, a Actor, d RevisitDraft) ([]Revisit, error)
	AssignRevisit(ctx context.Context, a Actor, id, group string) (Concern, error)
	SetRevisitDeadline(ctx context.Context, a Actor, village, date string) error
	SetVillageLeader(ctx context.Context, a Actor, village, leader string) error
}

// Overseeing is pane 5's: the calendar, filings, inspection, meetings and the assessment.
type Overseeing interface {
	Calendar(ctx context.Context) (Calendar, error)
	SetPhaseDeadline(ctx context.Context, a Actor, village, phase, date string) error
	FilingsOf(ctx context.Context, a Actor) ([]Filing, error)
	FiledData(ctx context.Context, a Actor, village, kind string, version int) ([]byte, Filing, error)
	FileReport(ctx context.Context, a Actor, village, kind, format string, data []byte) (Filing, error)
	Inspections(ctx context.Context, a Actor) ([]Inspection, error)
	RecordFinding(ctx context.Context, a Actor, f Inspection) (Inspection, error)
	AnswerFinding(ctx context.Context, a Actor, village, id, answer string) (Inspection, error)
	ScoreWeights(ctx context.Context) (Weights, error)
	SetScoreWeights(ctx context.Context, a Actor, w Weights) error
	Meetings(ctx context.Context, a Actor) ([]Meeting, error)
	RecordMeeting(ctx context.Context, a Actor, m Meeting) (Meeting, error)
}

// FactSheets reads and edits the villages' fact sheets (明白纸).
type FactSheets interface {
	FactSheet(ctx context.Context, a Actor, village string) (FactSheet, error)
	FactSheets(ctx context.Context, a Actor) ([]FactSheet, error)
	Facts(ctx context.Context, a Actor, village string) (VillageFacts, error)
	SetFactSheet(ctx context.Context, a Actor, fs FactSheet) (FactSheet, error)
	EditFactSheet(ctx context.Context, a Actor, fs FactSheet, base time.Time, draft string) (FactSheet, error)
}

// Drafts keeps the forms' drafts, one per session form (drafts.go).
type Drafts interface {
	SaveDraft(ctx context.Context, a Actor, kind DraftKind, id string, data any) error
	Draft(ctx context.Context, a Actor, kind DraftKind, id string) (Draft, error)
	Drafts(ctx context.Context, a Actor, kind DraftKind) ([]Draft, error)
	DiscardDraft(ctx context.Context, a Actor, kind DraftKind, id string) error
}

// Accounts is the user verbs' and the SSH server's: registered users and their keys, by
// fingerprint (the keys themselves are parsed by the caller).
type Accounts interface {
	AddUser(ctx context.Context, a Actor, u User, scope string) (User, error)
	RemoveUser(ctx context.Context, a Actor, name string) error
	Users(ctx context.Context, a Actor) ([]User, error)
	// UserByKey finds who a key belongs to, at login: there is no actor yet.
	UserByKey(ctx context.Context, fingerprint string) (User, error)
	SetLang(ctx context.Context, a Actor, lang string) error
	// SetLean stores the user's choice of the lean display.
	SetLean(ctx context.Context, a Actor, on bool) error
}

// Importer is the import verb's: a roster in, all or nothing (roster.go).
type Importer interface {
	ImportRoster(ctx context.Context, a Actor, r Roster, o ImportOptions) (ImportReport, error)
}

// Loading seeds an empty store: the demo township, a county for measuring.
type Loading interface {
	Seed(ctx context.Context, a Actor, d Dataset) error
	NewBulkLoader(ctx context.Context, a Actor) (BulkLoad, error)
}

// BulkLoad is a bulk load into an empty store, part by part (see BulkLoader).
type BulkLoad interface {
	Add(ctx context.Context, d Dataset) error
	AddAudit(ctx context.Context, ev AuditEvent) error
	Finish(ctx context.Context, t Township) error
	Cancel()
}

// Backups is the backup verb's: a consistent backup of the whole store, township users only.
// Restoring one makes a new store, which is the engine's own business (Restore for Badger).
type Backups interface {
	Backup(ctx context.Context, a Actor, w io.Writer) (BackupInfo, error)
}

// Engine is a whole store: every interface of the contract, and Close.
type Engine interface {
	Clock
	Feed
	Directory
	Privacy
	Planning
	Visiting
	Ledgering
	Revisiting
	Overseeing
	FactSheets
	Drafts
	Accounts
	Importer
	Loading
	Backups
	// Close waits for the calls in flight and closes the store; later calls get ErrClosed.
	Close() error
}

// The Badger engine implements the whole contract.
var (
	_ Engine   = (*Store)(nil)
	_ BulkLoad = (*BulkLoader)(nil)
)
