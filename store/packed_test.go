package store

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// filled returns a concern with every exported field set to a value of its own (a field added
// to Concern or Plan is filled too, so a Pack that forgets it fails TestPackKeepsEveryField),
// with a history whose summary is not empty, its times in loc.
func filled(t *testing.T, loc *time.Location) Concern {
	t.Helper()
	base := time.Date(2026, time.November, 3, 9, 30, 15, 123456789, loc)
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		for i := range v.NumField() {
			f, sf := v.Field(i), v.Type().Field(i)
			if !sf.IsExported() || sf.Name == "Moves" {
				continue
			}
			n++
			switch {
			case f.Type() == reflect.TypeFor[time.Time]():
				f.Set(reflect.ValueOf(base.Add(time.Duration(n) * time.Hour)))
			case f.Kind() == reflect.String:
				f.SetString("值" + strings.Repeat("x", n))
			case f.Kind() == reflect.Int:
				f.SetInt(int64(n))
			case f.Kind() == reflect.Bool:
				f.SetBool(true)
			case f.Type() == reflect.TypeFor[[]string]():
				f.Set(reflect.ValueOf([]string{"甲", "乙"}))
			case f.Kind() == reflect.Struct:
				fill(f)
			default:
				t.Fatalf("filled: no value for %s %s: teach the test (and Pack) about it", sf.Name, f.Type())
			}
		}
	}
	var c Concern
	fill(reflect.ValueOf(&c).Elem())
	c.Moves = []Move{{At: base, Action: "create"}, {At: base.Add(time.Hour), Action: "plan", To: "张强"},
		{At: base.Add(2 * time.Hour), Action: "deadline", To: "2026-11-20"},
		{At: base.Add(3 * time.Hour), Action: "owner", From: "张强", To: "李四"},
		{At: base.Add(50 * time.Hour), Action: "resolve"}}
	return c
}

// decoded returns c as the store reads it back: encoded and decoded.
func decoded(t *testing.T, c Concern) Concern {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var out Concern
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPackKeepsEveryField: a packed concern gives back the lean concern it was made from,
// every field and the history's summary, whether it fits the packed form or is kept whole; and
// what the ledger view sorts and filters by reads the same without unpacking.
func TestPackKeepsEveryField(t *testing.T) {
	long := filled(t, time.UTC)
	long.Description = strings.Repeat("长", 30000) // 90,000 bytes: past the packed text's reach
	far := filled(t, time.UTC)
	far.HandedAt = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	counted := filled(t, time.UTC)
	counted.Rev = math.MaxInt32 + 1
	withResidents := func(rs ...string) Concern {
		c := filled(t, time.UTC)
		c.Residents = rs
		return c
	}
	cases := []struct {
		name   string
		c      Concern
		packed bool
	}{
		{"read back, UTC", decoded(t, filled(t, time.UTC)), true},
		{"Local", filled(t, time.Local), true},
		{"empty", Concern{ID: "DL-0001"}, true},
		{"one resident", withResidents("张三"), true},
		{"a nameless resident", withResidents(""), true},
		{"three residents, one nameless", withResidents("张三", "", "李四"), true},
		{"an empty list of residents", withResidents([]string{}...), false},
		{"a NUL in a name", withResidents("张\x00三", "李四"), false},
		{"another zone", filled(t, time.FixedZone("", 13*3600+45*60)), false},
		{"long text", long, false},
		{"far time", far, false},
		{"large count", counted, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Pack(tc.c)
			if got := p.full == nil; got != tc.packed {
				t.Errorf("packed = %v, want %v", got, tc.packed)
			}
			want := tc.c.Lean()
			got := p.Concern()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("unpacked\n%+v\nwant\n%+v\nhistory %+v, want %+v", got, want, got.History(), want.History())
			}
			if !got.IsLean() {
				t.Error("unpacked concern is not lean")
			}
			if got.History() != tc.c.History() {
				t.Errorf("history %+v, want %+v", got.History(), tc.c.History())
			}
			// Through a start snapshot's form and back, between other bytes: the same concern,
			// and the rest of the text left as it was; cut short, an error.
			var w SnapWriter
			if err := w.Packed(&p); err != nil {
				t.Fatal(err)
			}
			r := SnapText(string(w.Data()) + "尾")
			rp, err := r.Packed()
			if err != nil || r.Rest() != "尾" {
				t.Fatalf("SnapReader.Packed: rest %q, err %v", r.Rest(), err)
			}
			back := rp.Concern()
			bh, wh := back.History(), tc.c.History()
			sameHistory := bh.Bounces == wh.Bounces && bh.Planned.Equal(wh.Planned) && bh.Resolved.Equal(wh.Resolved) &&
				bh.DeadlineThen == wh.DeadlineThen
			if !sameHistory || !back.IsLean() || (back.Residents == nil) != (want.Residents == nil) {
				t.Errorf("from the snapshot's form: history %+v, lean %v, residents %#v; want %+v, %#v",
					back.History(), back.IsLean(), back.Residents, tc.c.History(), want.Residents)
			}
			if tc.packed && !reflect.DeepEqual(back, want) {
				t.Errorf("from the snapshot's form\n%+v\nwant\n%+v", back, want)
			}
			// A concern kept whole goes as JSON, as the store keeps it: the same instants.
			asStored := func(c Concern) string {
				c.lean = nil
				b, err := json.Marshal(c)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			if got, want := asStored(back), asStored(want); got != want {
				t.Errorf("from the snapshot's form\n%s\nwant\n%s", got, want)
			}
			body := w.Data()
			for _, cut := range []int{0, len(body) / 2, len(body) - 1} {
				if _, err := SnapText(string(body[:cut])).Packed(); err == nil {
					t.Errorf("a packed concern cut at %d of %d read without an error", cut, len(body))
				}
			}
			c := tc.c
			for _, f := range []struct{ got, want any }{
				{p.ID(), c.ID}, {p.Village(), c.Village}, {p.Grid(), c.Grid}, {p.Category(), c.Category},
				{p.Tag(), c.Tag}, {p.Tier(), c.Tier}, {p.Status(), c.Status}, {p.Owner(), c.Plan.Owner},
				{p.Deadline(), c.Plan.Deadline}, {p.Supervisor(), c.Supervisor}, {p.CreatedAt().Equal(c.CreatedAt), true},
				{p.Overdue("2099-01-01"), c.Overdue("2099-01-01")}, {p.ProblemCase(), c.ProblemCase()},
			} {
				if f.got != f.want {
					t.Errorf("accessor gave %v, want %v", f.got, f.want)
				}
			}
		})
	}
}

// TestPackerChunks: concerns packed together keep their own text, across chunks, once every
// one of them is packed (a later concern's text must not land on an earlier one's).
func TestPackerChunks(t *testing.T) {
	var k Packer
	var cs []Concern
	var ps []Packed
	for i := range 3000 {
		c := filled(t, time.UTC)
		c.ID = fmt.Sprintf("DL-%04d", i)
		c.Description = strings.Repeat("描述", i%7*(1+i%500)) // up to 12 KB: chunks fill and turn over
		if i%1000 == 999 {
			c.Description = strings.Repeat("长", 30000) // kept whole
		}
		cs, ps = append(cs, c), append(ps, k.Pack(c))
	}
	for i, c := range cs {
		if got, want := ps[i].Concern(), c.Lean(); !reflect.DeepEqual(got, want) {
			t.Fatalf("concern %d unpacked as %s (%d bytes of description), want %s (%d)", i, got.ID,
				len(got.Description), want.ID, len(want.Description))
		}
	}
}
