package store

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEveryRefusalHasACode reads the store's own source: every refusal it can return to a
// session is a RuleError whose code is in RuleCodes (so the interface has words for it), no
// refusal is an English sentence wrapped round ErrRule or ErrScope (except in the admin
// commands' files, which speak English on the command line), every move action written is
// in MoveActions and every form error code in FormCodes.
func TestEveryRefusalHasACode(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	codes := RuleCodes()
	adminOnly := []string{"backup.go", "users.go", "roster.go", "bulk.go"}
	refusal := regexp.MustCompile(`(?:refuse|outOfScope)\("([^"]+)"`)
	wrapped := regexp.MustCompile(`fmt\.Errorf\("%w[^"]*", Err(?:Rule|Scope)`)
	action := regexp.MustCompile(`Move\{[^{}]*?Action: "([^"]+)"|mv\.Action(?:, [a-z.A-Z]+)* = "([^"]+)"`)
	form := regexp.MustCompile(`FormError\{[^,]+, "([^"]+)"`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		for _, m := range refusal.FindAllStringSubmatch(src, -1) {
			seen++
			if !slices.Contains(codes, m[1]) {
				t.Errorf("%s: refusal %q has no words (not in RuleCodes)", f, m[1])
			}
		}
		if !slices.Contains(adminOnly, f) {
			for _, m := range wrapped.FindAllString(src, -1) {
				t.Errorf("%s: %s… is an English refusal: use refuse or outOfScope with a code", f, m)
			}
		}
		for _, m := range action.FindAllStringSubmatch(src, -1) {
			a := m[1] + m[2]
			if !slices.Contains(MoveActions(), a) {
				t.Errorf("%s: move action %q is not in MoveActions", f, a)
			}
		}
		for _, m := range form.FindAllStringSubmatch(src, -1) {
			if !slices.Contains(FormCodes(), m[1]) {
				t.Errorf("%s: form error %q is not in FormCodes", f, m[1])
			}
		}
	}
	if seen < len(codes) {
		t.Errorf("%d refusals found in the source, %d codes: a code no refusal uses?", seen, len(codes))
	}
	for _, k := range []OpKind{OpTag, OpOwner, OpDeadline, OpSolution, OpEscalate, OpReturn, OpResolve} {
		if !slices.Contains(MoveActions(), string(k)) {
			t.Errorf("action %s writes a move not in MoveActions", k)
		}
	}
	for _, c := range codes {
		if n := RuleArgs(c); n > 4 {
			t.Errorf("%s takes %d arguments", c, n)
		}
	}
}
