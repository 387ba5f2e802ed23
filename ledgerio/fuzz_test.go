package ledgerio

import (
	"testing"
	"time"

	"sanbai/clean"
	"sanbai/store"
)

// FuzzParseRoster reads arbitrary bytes as a roster file (CSV, or .xlsx when they start like a
// zip) for a village user: never a panic; every household of a roster with no problems lies in
// the user's village and a grid the reference knows; every text that could reach a screen is
// clean (no escape sequence, control or bidi override); ID numbers and phones hold no spaces.
func FuzzParseRoster(f *testing.F) {
	f.Add([]byte("村,网格,户号,地址,姓名,与户主关系,性别,身份证号,联系电话\n东岭新村,2网格,1,东岭后街1排1号,孙大,户主,男,370102194001011234,13812345678\n"))
	f.Add([]byte("姓名,身份证号,出生年月,电话\n王\x1b[31m建国,37010219650512123X,1965-05,+86 138 1234 5678\n\u202e李四,,１９７０年１月,\n"))
	f.Add([]byte("网格,户号,姓名\n\"1网格\",\"0001\",\"a\"\"b\"\n合计,,\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("\xef\xbb\xbf\xff\xfe\x00姓名\r\n"))
	ref := Reference{
		Actor:    store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"},
		Villages: []store.Village{{Code: "DL", Name: "东岭新村"}, {Code: "XH", Name: "西河新村"}},
		Grids: []store.Grid{{Code: "DL01", Village: "DL", No: 1, Name: "1网格"}, {Code: "DL02", Village: "DL", No: 2, Name: "2网格"},
			{Code: "XH01", Village: "XH", No: 1, Name: "1网格"}},
		Today: time.Date(2026, 11, 25, 0, 0, 0, 0, time.Local),
	}
	grids := map[string]string{}
	for _, g := range ref.Grids {
		grids[g.Code] = g.Village
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		wb, err := ReadWorkbook(data, "roster.csv")
		if err != nil {
			return
		}
		p := ParseRoster(wb, ref)
		for _, msg := range FormatProblems(p.Problems, "zh", 0) {
			if !clean.IsClean(msg) {
				t.Fatalf("a problem message carries control text: %q", msg)
			}
		}
		if len(p.Problems) > 0 {
			return
		}
		for _, h := range p.Roster.Households {
			if h.Village != "DL" || (h.Grid != "" && grids[h.Grid] != "DL") {
				t.Fatalf("household %s of %s/%s in a DL user's roster", h.ID, h.Village, h.Grid)
			}
			if !clean.IsClean(h.Address) {
				t.Fatalf("address %q", h.Address)
			}
			for _, r := range h.Residents {
				for _, s := range []string{r.Name, r.Relation, r.Gender, r.Political, r.IDNumber, r.Phone} {
					if !clean.IsClean(s) {
						t.Fatalf("resident field %q", s)
					}
				}
			}
		}
	})
}
