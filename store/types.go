package store

import (
	"slices"
	"time"
)

// Township is the top of the tree: the township (镇) running the campaign.
type Township struct {
	Name string `json:"name"`
	// Office is the name of the party-building office (党建办) that receives the filings.
	Office string `json:"office"`
}

// Village is a merged new village (新村), identified by a short code people say aloud ("DL").
type Village struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Leader is the township leader in charge of this village (包新村镇领导).
	Leader string `json:"leader,omitempty"`
}

// Grid is one grid (网格) of a village; its code is the village code and a number ("DL03").
type Grid struct {
	Code    string `json:"code"`
	Village string `json:"village"`
	No      int    `json:"no"`
	Name    string `json:"name"`
	// Secretary is the member ID of the grid secretary (网格书记).
	Secretary string `json:"secretary,omitempty"`
}

// Household is a household (户) with its residents, who are kept inside it because they are
// always read and changed together.
type Household struct {
	ID        string     `json:"id"`
	Village   string     `json:"village"`
	Grid      string     `json:"grid"`
	Address   string     `json:"address"`
	Special   []string   `json:"special,omitempty"`
	Residents []Resident `json:"residents"`
	// MovedOut is the day (YYYY-MM-DD) a roster import found the household gone; its rows
	// stay so that visit history keeps pointing at them.
	MovedOut string `json:"moved_out,omitempty"`
}

// Head returns the head of the household (户主), or the first resident.
func (h Household) Head() Resident {
	for _, r := range h.Residents {
		if r.Relation == RelationHead {
			return r
		}
	}
	if len(h.Residents) > 0 {
		return h.Residents[0]
	}
	return Resident{}
}

// Current returns the household as it stands on the current roster: false if it moved out,
// otherwise a copy without the residents who moved out. Coverage counts, pickers and rosters
// use it; visit history keeps the full row.
func (h Household) Current() (Household, bool) {
	if h.MovedOut != "" {
		return h, false
	}
	for i, r := range h.Residents {
		if r.MovedOut == "" {
			continue
		}
		// Copy only when someone left: most households are untouched.
		kept := slices.Clone(h.Residents[:i])
		for _, r := range h.Residents[i+1:] {
			if r.MovedOut == "" {
				kept = append(kept, r)
			}
		}
		h.Residents = kept
		break
	}
	return h, true
}

// CurrentRef is Current for a household held by pointer: h itself when no one moved out of it
// (a county's 100,000 households were each copied twice on their way to a pane's model), a
// copy without those who did otherwise, nil when the household moved out.
func (h *Household) CurrentRef() *Household {
	if h.MovedOut != "" {
		return nil
	}
	for i := range h.Residents {
		if h.Residents[i].MovedOut != "" {
			c, _ := h.Current()
			return &c
		}
	}
	return h
}

// Refs points at each household of hhs, in order (FigureData counts households by pointer).
func Refs(hhs []Household) []*Household {
	out := make([]*Household, len(hhs))
	for i := range hhs {
		out[i] = &hhs[i]
	}
	return out
}

// CurrentHouseholds keeps the households on the current roster, each without the residents
// who moved out.
func CurrentHouseholds(hhs []Household) []Household {
	out := make([]Household, 0, len(hhs))
	for _, h := range hhs {
		if c, ok := h.Current(); ok {
			out = append(out, c)
		}
	}
	return out
}

// CurrentMembers keeps the party members still on the village's roster.
func CurrentMembers(ms []Member) []Member {
	return slices.DeleteFunc(slices.Clone(ms), func(m Member) bool { return m.MovedOut != "" })
}

// RelationHead is the relation that marks the head of a household.
const RelationHead = "户主"

// Resident is a person (人) living in a household.
type Resident struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Relation  string   `json:"relation"`
	Gender    string   `json:"gender"`
	Born      string   `json:"born"` // YYYY-MM
	IDNumber  string   `json:"id_number,omitempty"`
	Phone     string   `json:"phone,omitempty"`
	Political string   `json:"political,omitempty"`
	Special   []string `json:"special,omitempty"`
	// MovedOut is the day (YYYY-MM-DD) a roster import found the person gone.
	MovedOut string `json:"moved_out,omitempty"`
}

// Member is a party member (党员) of a village, living in one of its grids.
type Member struct {
	ID       string `json:"id"`
	Village  string `json:"village"`
	Grid     string `json:"grid"`
	Name     string `json:"name"`
	Resident string `json:"resident,omitempty"`
	Phone    string `json:"phone,omitempty"`
	// Probationary marks a probationary member (中共预备党员).
	Probationary bool `json:"probationary,omitempty"`
	// MovedOut is the day (YYYY-MM-DD) a roster import found the member gone from the
	// village's roster (moved out, or no longer listed as a party member).
	MovedOut string `json:"moved_out,omitempty"`
}

// Cadre is a village cadre (村干部) with a post, duties, a duty rota and a phone.
type Cadre struct {
	ID      string `json:"id"`
	Village string `json:"village"`
	Name    string `json:"name"`
	Post    string `json:"post"`
	Grid    string `json:"grid,omitempty"` // for grid secretaries
	Member  string `json:"member,omitempty"`
	Duties  string `json:"duties,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Duty    string `json:"duty,omitempty"` // 值班安排
}

// FactSheet is the editable part of a village's fact sheet (明白纸), the page members carry to
// every door; grids, population and cadres come from the village's own rows.
type FactSheet struct {
	Village    string    `json:"village"`
	Profile    string    `json:"profile,omitempty"`    // 村情: history, land, what the village is known for
	Industries []string  `json:"industries,omitempty"` // 主导产业
	Services   []string  `json:"services,omitempty"`   // 服务清单 of the village service centre
	Vision     string    `json:"vision,omitempty"`     // 五年远景
	Tasks      []string  `json:"tasks,omitempty"`      // 重点任务 toward the vision
	UpdatedBy  string    `json:"updated_by,omitempty"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// Posts cadres hold, as the township writes them.
const (
	PostSecretary      = "党委书记"
	PostFirstSecretary = "第一书记"
	PostGuide          = "新村指导员"
	PostGridSecretary  = "网格书记"
	PostCommittee      = "两委成员"
	PostSupervisor     = "监委会成员"
)

// Team is a village's visit team (走访小队): the captain and the guiding officers.
type Team struct {
	Village  string   `json:"village"`
	Captain  string   `json:"captain"`  // cadre ID of the village party secretary
	Officers []string `json:"officers"` // cadre IDs of the first secretary and the village guiding officer
}

// Group is a visit group (走访小组), built across grid lines.
type Group struct {
	ID      string   `json:"id"`
	Village string   `json:"village"`
	Name    string   `json:"name"`
	Grids   []string `json:"grids"`  // the grids it visits
	Leader  string   `json:"leader"` // member ID
	Deputy  string   `json:"deputy"` // member ID
	Members []string `json:"members"`
	// Exceptions records why a member of the visited grid sits in the group, by member ID.
	Exceptions map[string]string `json:"exceptions,omitempty"`
}

// Route is a group's ordered households, cut into days.
type Route struct {
	Group      string     `json:"group"`
	Village    string     `json:"village"`
	Households []string   `json:"households"`
	Days       []RouteDay `json:"days,omitempty"`
}

// RouteDay is one planned day of a route: the first household index it starts at and its date.
type RouteDay struct {
	Date  string `json:"date"` // YYYY-MM-DD
	Start int    `json:"start"`
}

// Briefing topics (四讲).
const (
	TopicProfile = "村情"
	TopicCadres  = "干部"
	TopicService = "功能"
	TopicVision  = "远景"
)

// Visit is a household visit (入户走访), as typed in from the registration form (调研登记表).
type Visit struct {
	ID        string   `json:"id"`
	Village   string   `json:"village"`
	Grid      string   `json:"grid"`
	Household string   `json:"household"`
	Group     string   `json:"group"`
	Date      string   `json:"date"` // YYYY-MM-DD
	Members   []string `json:"members"`
	// Officer is the guiding officer (指导员) of the village's team who took part, a cadre ID;
	// empty when none did.
	Officer  string            `json:"officer,omitempty"`
	Present  []string          `json:"present"`          // resident IDs met
	Away     map[string]string `json:"away,omitempty"`   // resident ID → reason
	Topics   []string          `json:"topics,omitempty"` // 四讲 covered
	Findings []Finding         `json:"findings,omitempty"`
	Concerns []string          `json:"concerns,omitempty"`
	Notes    string            `json:"notes,omitempty"`
	By       string            `json:"by"`
	At       time.Time         `json:"at"`
}

// Finding is one of the four things learned (四知) at a visit.
type Finding struct {
	Kind     string `json:"kind"` // suggestion, need, nightschool, hardship, hazard
	Category string `json:"category,omitempty"`
	Text     string `json:"text"`
}

// Tier is the level a concern is being solved at (四级解).
type Tier string

// The four tiers, lowest first.
const (
	TierOnSite   Tier = "onsite"
	TierGrid     Tier = "grid"
	TierVillage  Tier = "village"
	TierTownship Tier = "township"
)

// Tiers lists the tiers from lowest to highest.
func Tiers() []Tier { return []Tier{TierOnSite, TierGrid, TierVillage, TierTownship} }

// Tag is the red/yellow/green urgency tag (红黄绿挂牌).
type Tag string

// The three tags.
const (
	TagRed    Tag = "red"
	TagYellow Tag = "yellow"
	TagGreen  Tag = "green"
)

// Tags lists the tags from most to least urgent.
func Tags() []Tag { return []Tag{TagRed, TagYellow, TagGreen} }

// Status is where a concern stands.
type Status string

// Concern statuses.
const (
	StatusNew        Status = "new"
	StatusPlanned    Status = "planned"
	StatusInProgress Status = "in_progress"
	StatusResolved   Status = "resolved"
	StatusClosed     Status = "closed"
	StatusReopened   Status = "reopened"
)

// Open reports whether a concern in this status still needs work.
func (s Status) Open() bool { return s != StatusResolved && s != StatusClosed }

// Concern is the unit of the ledger (诉求): something a household raised that needs action.
type Concern struct {
	ID          string    `json:"id"` // village code + number, e.g. DL-0042
	Village     string    `json:"village"`
	Grid        string    `json:"grid"`
	Household   string    `json:"household"`
	Residents   []string  `json:"residents,omitempty"`
	Visit       string    `json:"visit,omitempty"`
	Group       string    `json:"group,omitempty"`
	Category    string    `json:"category"`
	Description string    `json:"description"`
	Tag         Tag       `json:"tag"`
	Tier        Tier      `json:"tier"`
	Status      Status    `json:"status"`
	Plan        Plan      `json:"plan"`
	Resolution  string    `json:"resolution,omitempty"`
	ResolvedBy  string    `json:"resolved_by,omitempty"`
	ResolvedAt  time.Time `json:"resolved_at,omitzero"`
	Supervisor  string    `json:"supervisor,omitempty"` // township leader supervising it (挂牌督办)
	Project     string    `json:"project,omitempty"`    // lead project (头雁工程) it belongs to
	// RevisitGroup is the group that goes back about it, when not the group that found it.
	RevisitGroup string `json:"revisit_group,omitempty"`
	// NoticeAt is when a failed revisit put it on the township's notice list (通报).
	NoticeAt  time.Time `json:"notice_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Moves     []Move    `json:"moves,omitempty"`
	// Rev counts the changes made to the concern; an edit names the Rev it was made
	// against, so two people editing at once never silently overwrite each other.
	Rev int `json:"rev,omitempty"`
	// HandedAt is when the concern last moved to another tier: the tier clock (本层) runs
	// from it, and restarts only on a tier move — never on a new owner. Zero until the first
	// move: the clock then runs from CreatedAt.
	HandedAt time.Time `json:"handed_at,omitzero"`
	// Extensions counts the times the deadline was moved later (延期), each with its reason
	// in the history.
	Extensions int `json:"extensions,omitempty"`
	// lean is the summary of Moves when they were left out (Lean); nil otherwise.
	lean *History
}

// Plan is the one plan per concern (一事一策): solution, owner and deadline.
type Plan struct {
	Solution string `json:"solution,omitempty"`
	Owner    string `json:"owner,omitempty"` // a name, as people say it
	// OwnerID is the person the owner is: a township official, a cadre or a party member
	// (empty for an owner given before owners were people in the store).
	OwnerID string `json:"owner_id,omitempty"`
	// OwnerNote tells the owner apart from another person of the same name among those who
	// could own the concern: their grid or post. Empty when the name is enough.
	OwnerNote string `json:"owner_note,omitempty"`
	Deadline  string `json:"deadline,omitempty"` // YYYY-MM-DD
	// DeadlineSet marks a deadline set by a person, a plan or township supervision: it never
	// moves by itself. Otherwise the deadline is automatic: the colour's time limit, which
	// only ever moves earlier, when the colour gets more urgent.
	DeadlineSet bool `json:"deadline_set,omitempty"`
}

// OwnerLabel is the owner as rows show them: the name, and the grid or post when another
// person of that name could have been meant — "王强（前岭网格）".
func (p Plan) OwnerLabel() string {
	if p.OwnerNote == "" {
		return p.Owner
	}
	return p.Owner + "（" + p.OwnerNote + "）"
}

// Move is one entry of a concern's history: a tier move, a hand-off or a change of state.
//
// Actions: create, tag, owner, solution, plan, deadline (set by hand), extend (moved later,
// with its reason), due (set by the ledger itself: earlier with a more urgent colour, or a
// supervision deadline — Reason holds the colour or "supervise"), escalate, return, tier,
// status, resolve, revisit, close, reopen, supervise, project, revisitgroup and undo.
type Move struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	Reason string    `json:"reason,omitempty"`
	// Rev is the concern's Rev after the change the move belongs to: the moves of one change
	// share it (a tag and the deadline it brought forward). Zero on moves written before.
	Rev int `json:"rev,omitempty"`
	// Undoes, on an undo, is the Rev of the change it took back.
	Undoes int `json:"undoes,omitempty"`
}

// MoveActions lists every action a history move may have (see Move): the interface words each.
func MoveActions() []string {
	return []string{"create", "tag", "owner", "solution", "plan", "deadline", "extend", "due", "escalate", "return",
		"tier", "status", "resolve", "revisit", "close", "reopen", "supervise", "project", "revisitgroup", "undo"}
}

// FormCodes lists every code a FormError can carry: the interface words each.
func FormCodes() []string {
	return []string{"household.required", "household.unknown", "present.none", "date.required", "date.format", "date.future", "date.before",
		"concern.description", "concern.done", "officer.unknown", "revisit.none", "revisit.solved", "revisit.satisfaction"}
}

// Overdue reports whether the concern is open and past its deadline on the given day.
func (c Concern) Overdue(today string) bool {
	return c.Status.Open() && c.Plan.Deadline != "" && c.Plan.Deadline < today
}

// Satisfaction levels of the revisit form, best first.
const (
	SatVeryGood = "非常满意"
	SatGood     = "满意"
	SatFair     = "基本满意"
	SatPoor     = "不满意"
	SatVeryPoor = "非常不满意"
)

// Revisit is one answer of a revisit form (入户回访表) about one concern.
type Revisit struct {
	ID           string    `json:"id"`
	Village      string    `json:"village"`
	Concern      string    `json:"concern"`
	Household    string    `json:"household"`
	Group        string    `json:"group,omitempty"`
	Date         string    `json:"date"`
	Met          []string  `json:"met,omitempty"`
	Solved       string    `json:"solved"` // solved, partly, not
	Satisfaction string    `json:"satisfaction"`
	Comment      string    `json:"comment,omitempty"`
	By           string    `json:"by"`
	At           time.Time `json:"at"`
}

// Satisfied reports whether the answer closes the concern: solved and at least 基本满意.
func (r Revisit) Satisfied() bool {
	return r.Solved == "solved" && (r.Satisfaction == SatVeryGood || r.Satisfaction == SatGood || r.Satisfaction == SatFair)
}

// Role is what a user may see and change.
type Role string

// Roles.
const (
	RoleTownship  Role = "township"
	RoleVillage   Role = "village"
	RoleGrid      Role = "grid"
	RoleInspector Role = "inspector"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleTownship, RoleVillage, RoleGrid, RoleInspector:
		return true
	}
	return false
}

// User is a registered person who may log in with one of their keys.
type User struct {
	Name    string   `json:"name"`
	Role    Role     `json:"role"`
	Village string   `json:"village,omitempty"`
	Grid    string   `json:"grid,omitempty"`
	Keys    []string `json:"keys"` // authorized-key lines
	// Fingerprints are the keys' SHA256 fingerprints, in the order of Keys, given by whoever
	// parsed them (the store knows no key formats).
	Fingerprints []string `json:"fingerprints,omitempty"`
	Lang         string   `json:"lang,omitempty"`
	// Lean is the user's choice of the lean display for slow links (B in the TUI).
	Lean    bool      `json:"lean,omitempty"`
	Created time.Time `json:"created"`
}

// AuditEvent records one change: who, when, what, and the value before and after.
type AuditEvent struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	Who    string    `json:"who"`
	Action string    `json:"action"`
	Key    string    `json:"key"`
	Before []byte    `json:"before,omitempty"`
	After  []byte    `json:"after,omitempty"`
}
