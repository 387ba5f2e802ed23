package admin

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"sanbai/store"
)

// fuzzStore is one small store shared by every input: two villages, a grid each.
type fuzzStore struct {
	once sync.Once
	st   *store.Store
}

func (f *fuzzStore) get(t testing.TB) *store.Store {
	f.once.Do(func() {
		st, err := store.Open(t.TempDir(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		d := store.Dataset{Township: store.Township{Name: "青石镇"},
			Villages: []store.Village{{Code: "DL", Name: "东岭新村"}, {Code: "XH", Name: "西河新村"}},
			Grids:    []store.Grid{{Code: "DL01", Village: "DL", No: 1, Name: "1网格"}, {Code: "XH01", Village: "XH", No: 1, Name: "1网格"}}}
		if err := st.Seed(t.Context(), store.System(), d); err != nil {
			t.Fatal(err)
		}
		f.st = st
	})
	return f.st
}

// FuzzRun runs the admin verbs with arbitrary arguments (split on NUL), as each role, as an SSH
// command (the surface exposed to the network; locally the caller has a shell anyway, and
// fuzzing local -o paths would write files anywhere): never a panic; a user who is not township
// changes nothing; a township user changes only users; no server file is read.
func FuzzRun(f *testing.F) {
	key := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGf0rCw1Gb3/HcMmVfS7yDUeVZgfHc1VFAbNPjMmv3K3"
	for _, seed := range []string{
		"user\x00list", "user\x00add\x00--name\x00甲\x00--role\x00village\x00--scope\x00DL\x00--key\x00" + key,
		"user\x00add\x00--name\x00乙\x00--role\x00grid\x00--scope\x00XH01\x00--key\x00" + key + "\x00--lang\x00en",
		"user\x00remove\x00甲", "user\x00add\x00--key-file\x00/etc/passwd\x00--name\x00x\x00--role\x00township",
		"backup", "backup\x00-o\x00x", "help", "user\x00--help", "\xff\xfe", "user\x00add\x00--name=\x1b[2J\x00--role=township\x00--key=" + key,
		"user\x00rm\x00" + strings.Repeat("长", 100), "user\x00add\x00-name\x00a/b\x00-role\x00township\x00-key\x00x",
	} {
		f.Add(byte(0), seed)
		f.Add(byte(1), seed)
	}
	var fs fuzzStore
	f.Fuzz(func(t *testing.T, who byte, in string) {
		if len(in) > 4096 {
			return
		}
		st := fs.get(t)
		actors := []store.Actor{
			{Name: "李明", Role: store.RoleTownship},
			{Name: "王芳", Role: store.RoleVillage, Village: "DL"},
			{Name: "张凯", Role: store.RoleGrid, Village: "DL", Grid: "DL01"},
			{Name: "督查组", Role: store.RoleInspector},
		}
		a := actors[int(who)%len(actors)]
		before, err := st.Audit(t.Context(), store.System(), 1)
		if err != nil {
			t.Fatal(err)
		}
		var lastSeq uint64
		if len(before) > 0 {
			lastSeq = before[0].Seq
		}
		var out, errOut bytes.Buffer
		args := strings.Split(in, "\x00")
		code := Run(Env{Store: st, Actor: a, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Remote: true}, args)
		if code < 0 || code > 2 {
			t.Fatalf("exit status %d", code)
		}
		after, err := st.Audit(t.Context(), store.System(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range after {
			if ev.Seq <= lastSeq {
				break
			}
			switch {
			case a.Role != store.RoleTownship:
				t.Fatalf("%s (%s) ran %q and wrote %s %s", a.Name, a.Role, args, ev.Action, ev.Key)
			case ev.Action == "export":
			case !strings.HasPrefix(ev.Key, "user/") && !strings.HasPrefix(ev.Key, "userkey/"):
				t.Fatalf("%q wrote outside the users: %s %s", args, ev.Action, ev.Key)
			}
		}
		if strings.Contains(out.String()+errOut.String(), "root:") {
			t.Fatalf("%q read a server file over SSH", args)
		}
	})
}
