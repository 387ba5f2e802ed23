package keys

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

func TestEveryBindingHasHelpInBothLanguages(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		k := New(lang)
		for name, b := range k.byName() {
			if len(b.Keys()) == 0 || b.Help().Key == "" || b.Help().Desc == "" {
				t.Errorf("%s/%s: keys %v help %+v", lang, name, b.Keys(), b.Help())
			}
		}
	}
	if New("zh").Quit.Help().Desc == New("en").Quit.Help().Desc {
		t.Fatal("help not translated")
	}
}

func TestRebind(t *testing.T) {
	a, b := New("zh"), New("zh")
	if err := a.Rebind(map[string][]string{"quit": {"ctrl+q"}}); err != nil {
		t.Fatal(err)
	}
	if len(a.Quit.Keys()) != 1 || a.Quit.Keys()[0] != "ctrl+q" || a.Quit.Help().Desc != "退出" {
		t.Fatalf("rebound quit: %v %+v", a.Quit.Keys(), a.Quit.Help())
	}
	// Another session's key map is untouched.
	if !key.Matches(keyMsg("q"), b.Quit) {
		t.Fatal("rebinding leaked into another key map")
	}
	err := a.Rebind(map[string][]string{"qiut": {"x"}})
	if err == nil || !strings.Contains(err.Error(), "qiut") {
		t.Fatalf("unknown name: %v", err)
	}
}

type keyMsg string

func (k keyMsg) String() string { return string(k) }
