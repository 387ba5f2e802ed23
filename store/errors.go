package store

import (
	"fmt"
	"slices"
	"strings"
)

// RuleError is a refusal: the store will not do what was asked because of one of its rules
// (a deadline moved later needs its reason) or of the actor's scope (only township users set
// the calendar). Code names the rule, one of RuleCodes; Args are what its words need, in
// order (an ID, a tier, a status, a date) — codes such as a tier or a status are left for the
// interface to translate. Error() words it in English for logs and the command line; the
// interface words it in the user's language from Code and Args, so no English sentence of the
// store ever reaches a Chinese screen. It wraps ErrRule or ErrScope, so errors.Is still sorts
// refusals by kind.
type RuleError struct {
	Code string
	Args []string
	kind error
}

func (e *RuleError) Error() string {
	f, ok := ruleTexts[e.Code]
	if !ok {
		f = e.Code
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		args[i] = a
	}
	return e.kind.Error() + ": " + fmt.Sprintf(f, args...)
}

// Unwrap returns ErrRule or ErrScope.
func (e *RuleError) Unwrap() error { return e.kind }

// refuse is a refusal by a rule of the ledger.
func refuse(code string, args ...string) error {
	return &RuleError{Code: code, Args: args, kind: ErrRule}
}

// outOfScope is a refusal by the actor's role or scope.
func outOfScope(code string, args ...string) error {
	return &RuleError{Code: code, Args: args, kind: ErrScope}
}

// RuleCodes lists every code a RuleError can carry, sorted: the interface has words for each
// in both languages (its test walks this list).
func RuleCodes() []string {
	out := make([]string, 0, len(ruleTexts))
	for c := range ruleTexts {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// RuleArgs returns how many arguments a code's words take.
func RuleArgs(code string) int { return strings.Count(ruleTexts[code], "%s") }

// ruleTexts words each refusal in English, with %s for each argument in order.
var ruleTexts = map[string]string{
	// Scope and role.
	"scope.outside":       "%s %s",
	"readonly":            "inspectors read and do not change",
	"tier.above":          "the concern is at the %s tier, above yours",
	"limits.township":     "only township users set time limits",
	"calendar.township":   "only township users set the campaign calendar",
	"revisitdue.township": "only township users set revisit deadlines",
	"leader.township":     "only township users name the leader in charge",
	"weights.township":    "only township users set the assessment weights",
	"meeting.township":    "township meetings are recorded by the township",
	"meeting.village":     "the village records its meetings",
	"filing.who":          "villages and the township file reports",
	"finding.who":         "the inspection group records findings",
	"answer.who":          "the village answers findings",
	"project.who":         "lead projects are run by the village",
	"groups.who":          "groups and routes are built by the village",
	"reveal.role":         "your role sees ID numbers and phones masked",
	"extend.township":     "%s is under township supervision: only township users extend its deadline",
	// The ledger.
	"limits.range":        "a time limit is 1 to 365 days",
	"tag.unknown":         "unknown tag %s",
	"op.unknown":          "unknown action %s",
	"concern.done":        "%s is already %s",
	"owner.empty":         "an owner needs a name",
	"owner.unknown":       "%s may not own %s, a concern at the %s tier (township tier: the township's officials; village tier: the village's cadres; grid tier: the grid's cadres and party members)",
	"owner.ambiguous":     "several people are called %s (%s): pick one from the list",
	"solution.empty":      "a plan needs its solution written out",
	"reason.empty":        "say why",
	"extend.reason":       "moving the deadline of %s later, from %s to %s, is an extension: say why",
	"tier.top":            "%s is already at the %s tier, the highest",
	"tier.bottom":         "%s is already at the %s tier, the lowest",
	"resolve.empty":       "say what was done",
	"restore.none":        "nothing to restore",
	"project.title":       "a lead project needs a title",
	"project.two":         "a lead project links two or more concerns (mark them with space)",
	"project.villages":    "%s is in %s and %s in %s: a lead project is led by one village's party secretary; a problem shared across villages goes up to the township tier",
	"project.linked":      "%s already belongs to %s",
	"project.noteam":      "village %s has no visit team, so no party secretary to lead the project",
	"project.nosecretary": "village %s's party secretary is not on the cadre list",
	"project.done":        "%s is already resolved",
	"revisit.household":   "%s is not about this household",
	"revisit.notwaiting":  "%s is %s, not waiting for a revisit",
	"revisit.group":       "no group %s in %s",
	"village.unknown":     "no village %s",
	"leader.empty":        "a leader needs a name",
	"leader.unknown":      "%s is not among the township's officials",
	"phase.unknown":       "unknown phase %s",
	"date.format":         "%s is not a date such as 2026-12-20",
	"filing.unknown":      "unknown filing %s",
	"filing.checksum":     "filed %s %s v%s does not match its checksum",
	"finding.empty":       "say what was checked and what was found",
	"answer.empty":        "say what was done about it",
	"weights.range":       "weight %s=%s: a weight is 0 to 10",
	"weights.part":        "no score part %s (coverage, filings, response, ontime, revisit, satisfied, overdue, supervised, findings)",
	"meeting.level":       "a meeting is at township, village or grid level",
	"meeting.date":        "a meeting needs its date",
	"meeting.led":         "say who led the meeting",
	"meeting.grid":        "no grid %s in %s",
	"group.name":          "a group needs a name",
	"route.members":       "a route is reordered, not changed in who is on it",
	"route.day":           "a planned day needs a date and a household it starts at",
	"reach.how":           "say how they were reached (phone, a relative)",
	"team.cadre":          "%s is not a cadre of %s",
	"team.captain":        "%s is the captain of %s's team: a guiding officer is someone else",
	"team.officer.dup":    "%s is already a guiding officer of %s",
	"team.officer.none":   "%s is not a guiding officer of %s",
}
