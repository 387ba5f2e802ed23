package store

// The store contract. What the rest of the program needs of a store, in small interfaces named
// by who needs them: the panes (Directory, Planning, Visiting, Ledgering, Revisiting,
// Overseeing, FactSheets, Drafts), the admin verbs (Accounts, Importer, Exporting, Backups),
// the read models (Feed, Clock) and the seeders (Loading). Engine is all of them: what a
// server opens. The Badger engine (*Store) implements it, checked at compile time below; a
// second engine (PostgreSQL) implements the same and must pass the one conformance suite,
// sanbai/store/storetest, which `make test` runs on every engine.
//
// Every method that reads or writes campaign data takes the Actor asking and is scoped and
// masked by the engine itself (scope.go, privacy.go): an engine never returns a row outside
// the actor's villages and grids, nor a full ID number or phone but through Reveal and
// PersonalData. Every write is one transaction that reads what it changes, records its audit
// events in that transaction, retries a conflict a bounded number of times, and publishes its
// changes on the Feed after it commits. An audit event's Key names its row the way the Badger
// engine keys it (kind/village/…/ID, as concern/DL/DL-0042): the trail's scope and an import's
// conflict report read it, so every engine writes the same.

import (
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

// Directory reads the township's places and people (pane 1, the forms' pickers, exports).
type Directory interface {
	Township() (Township, error)
	Empty() (bool, error)
	Villages(a Actor) ([]Village, error)
	Grids(a Actor) ([]Grid, error)
	Households(a Actor) ([]Household, error)
	Household(a Actor, village, id string) (Household, error)
	Members(a Actor) ([]Member, error)
	Cadres(a Actor) ([]Cadre, error)
	Officials(a Actor) ([]Official, error)
	Teams(a Actor) ([]Team, error)
}

// Privacy hands out full personal numbers, each time in the audit trail, and reads the trail.
type Privacy interface {
	Reveal(a Actor, village, household, resident, field string) (string, error)
	PersonalData(a Actor, what, village string) (Personal, error)
	AuditExport(a Actor, what, village string) error
	Audit(a Actor, limit int) ([]AuditEvent, error)
}

// Planning is pane 1's: visit groups, routes, and residents reached another way.
type Planning interface {
	Groups(a Actor) ([]Group, error)
	Routes(a Actor) ([]Route, error)
	Reaches(a Actor) ([]Reach, error)
	SaveGroup(a Actor, g Group) (Group, []RuleIssue, error)
	DissolveGroup(a Actor, village, id string) error
	SaveRoute(a Actor, r Route) error
	ReplaceGroups(a Actor, village string, groups []Group) ([]Group, error)
	RecordReach(a Actor, village, household, resident, how, note string) (Reach, error)
}

// Visiting is pane 2's: the registration forms.
type Visiting interface {
	Visits(a Actor) ([]Visit, error)
	VisitVersions(a Actor, village, id string) ([]Visit, error)
	CampaignStart(a Actor) (string, error)
	SaveVisit(a Actor, d VisitDraft) (Visit, []Concern, error)
}

// Ledgering is pane 3's: the concerns, their triage and lead projects.
type Ledgering interface {
	Concerns(a Actor) ([]Concern, error)
	Concern(a Actor, id string) (Concern, error)
	Owners(a Actor, concernID string) ([]Owner, error)
	OwnersAt(a Actor, village, grid string, tier Tier) ([]Owner, error)
	Limits() (Limits, error)
	SetLimits(a Actor, l Limits) error
	Triage(a Actor, id string, rev int, op Op) (Concern, error)
	SetTag(a Actor, id string, tag Tag) (Concern, error)
	Projects(a Actor) ([]Project, error)
	CreateProject(a Actor, title string, ids []string) (Project, error)
	ResolveProject(a Actor, id, what string) (Project, error)
}

// Revisiting is pane 4's: the revisit forms, their deadlines and supervision.
type Revisiting interface {
	Revisits(a Actor) ([]Revisit, error)
	RevisitDeadlines(a Actor) (map[string]string, error)
	SaveRevisits(a Actor, d RevisitDraft) ([]Revisit, error)
	AssignRevisit(a Actor, id, group string) (Concern, error)
	SetRevisitDeadline(a Actor, village, date string) error
	SetVillageLeader(a Actor, village, leader string) error
}

// Overseeing is pane 5's: the calendar, filings, inspection, meetings and the assessment.
type Overseeing interface {
	Calendar() (Calendar, error)
	SetPhaseDeadline(a Actor, village, phase, date string) error
	FilingsOf(a Actor) ([]Filing, error)
	FiledData(a Actor, village, kind string, version int) ([]byte, Filing, error)
	FileReport(a Actor, village, kind, format string, data []byte) (Filing, error)
	Inspections(a Actor) ([]Inspection, error)
	RecordFinding(a Actor, f Inspection) (Inspection, error)
	AnswerFinding(a Actor, village, id, answer string) (Inspection, error)
	ScoreWeights() (Weights, error)
	SetScoreWeights(a Actor, w Weights) error
	Meetings(a Actor) ([]Meeting, error)
	RecordMeeting(a Actor, m Meeting) (Meeting, error)
}

// FactSheets reads and edits the villages' fact sheets (明白纸).
type FactSheets interface {
	FactSheet(a Actor, village string) (FactSheet, error)
	FactSheets(a Actor) ([]FactSheet, error)
	Facts(a Actor, village string) (VillageFacts, error)
	SetFactSheet(a Actor, fs FactSheet) (FactSheet, error)
	EditFactSheet(a Actor, fs FactSheet, base time.Time, draft string) (FactSheet, error)
}

// Drafts keeps the forms' drafts, one per session form (drafts.go).
type Drafts interface {
	SaveDraft(a Actor, kind DraftKind, id string, data any) error
	Draft(a Actor, kind DraftKind, id string) (Draft, error)
	Drafts(a Actor, kind DraftKind) ([]Draft, error)
	DiscardDraft(a Actor, kind DraftKind, id string) error
}

// Accounts is the user verbs' and the SSH server's: registered users and their keys, by
// fingerprint (the keys themselves are parsed by the caller).
type Accounts interface {
	AddUser(a Actor, u User, scope string) (User, error)
	RemoveUser(a Actor, name string) error
	Users(a Actor) ([]User, error)
	// UserByKey finds who a key belongs to, at login: there is no actor yet.
	UserByKey(fingerprint string) (User, error)
	SetLang(a Actor, lang string) error
}

// Importer is the import verb's: a roster in, all or nothing (roster.go).
type Importer interface {
	ImportRoster(a Actor, r Roster, o ImportOptions) (ImportReport, error)
}

// Loading seeds an empty store: the demo township, a county for measuring.
type Loading interface {
	Seed(a Actor, d Dataset) error
	NewBulkLoader(a Actor) (BulkLoad, error)
}

// BulkLoad is a bulk load into an empty store, part by part (see BulkLoader).
type BulkLoad interface {
	Add(d Dataset) error
	AddAudit(ev AuditEvent) error
	Finish(t Township) error
	Cancel()
}

// Backups is the backup verb's: a consistent backup of the whole store, township users only.
// Restoring one makes a new store, which is the engine's own business (Restore for Badger).
type Backups interface {
	Backup(a Actor, w io.Writer) (BackupInfo, error)
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
