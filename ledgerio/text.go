package ledgerio

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"sanbai/clean"
)

// fold turns full-width digits, letters and spaces (what a Chinese input method types by
// default) and no-break spaces into plain ones. Full-width punctuation (，；（）) is Chinese
// text's own and stays.
func fold(s string) string {
	if isASCII(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
			return r - 0xFEE0
		case r == '\u3000', r == '\u00A0', r == '\u2002', r == '\u2003', r == '\u2009':
			return ' '
		}
		return r
	}, s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// text cleans a cell for storing: width folded, escape sequences and controls removed (by
// clean.Line), outer spaces trimmed and runs of spaces made one.
func text(s string) string {
	if plain(s) {
		return s
	}
	s = clean.Line(fold(s))
	if strings.Contains(s, "  ") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

// personName cleans a name: Chinese names lose every space (people pad two-character names
// to line them up: "王  五"); other names keep single spaces.
func personName(s string) string {
	s = text(s)
	if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
		s = strings.Join(strings.Fields(s), "")
	}
	return s
}

// compact removes every space: for codes and numbers.
func compact(s string) string {
	s = text(s)
	if strings.IndexByte(s, ' ') < 0 {
		return s
	}
	return strings.ReplaceAll(s, " ", "")
}

// plain reports whether text would leave s as it is, which most cells are: valid UTF-8 with
// no controls, escapes, bidi marks, full-width letters, digits or spaces, and no spaces at the
// ends or twice in a row. Checking is much cheaper than cleaning 100,000 rows.
func plain(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for _, r := range s {
		switch {
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		case r < 0x20, r >= 0x7F && r <= 0xA0, r == utf8.RuneError,
			r >= 0x2000 && r <= 0x206F, // spaces, bidi marks and other format characters
			r == 0x061C, r == 0x3000, r == 0xFEFF, r >= 0xFF01 && r <= 0xFF5E:
			return false
		}
		prevSpace = false
	}
	return true
}

// sciRE matches a number in scientific notation as Excel shows it: 3.70102E+17.
var sciRE = regexp.MustCompile(`^([0-9])(?:\.([0-9]+))?[eE]\+?([0-9]+)$`)

// expandNumber turns a number Excel stored (raw) into its digits: "370102196505121000",
// "1.3812345678E10" → "13812345678", "13812345678.0" → "13812345678". lost is how many
// trailing digits scientific notation dropped (0 when all are there).
func expandNumber(s string) (digits string, lost int, ok bool) {
	if m := sciRE.FindStringSubmatch(s); m != nil {
		exp, _ := strconv.Atoi(m[3])
		mant := m[1] + m[2]
		if exp+1 < len(mant) || exp > 30 {
			return "", 0, false
		}
		return mant + strings.Repeat("0", exp+1-len(mant)), exp + 1 - len(mant), true
	}
	if i := strings.IndexByte(s, '.'); i > 0 && strings.Trim(s[i+1:], "0") == "" && allDigits(s[:i]) {
		return s[:i], 0, true
	}
	return s, 0, allDigits(s)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// idWeights are the GB 11643 weights of an ID number's first 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// CheckDigit returns the GB 11643 check character of an ID number's first 17 digits.
func CheckDigit(first17 string) byte {
	sum := 0
	for i, w := range idWeights {
		sum += int(first17[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

// parseIDNumber checks a resident ID number (居民身份证号码): 18 characters, a real birth
// date, the right check digit. Digits lost to Excel's number storage (scientific notation,
// or only 15 digits kept) are named as such.
func parseIDNumber(cell string) (string, *Msg) {
	s := strings.ToUpper(strings.TrimLeft(compact(cell), "'‘`"))
	if s == "" {
		return "", nil
	}
	d, lost, ok := expandNumber(s)
	switch {
	case ok && lost > 0:
		m := msg("id_sci", s, lost)
		return "", &m
	case ok:
		s = d
	}
	switch {
	case len(s) == 15 && allDigits(s):
		m := msg("id_old15")
		return "", &m
	case len(s) != 18:
		m := msg("id_length", len([]rune(s)))
		return "", &m
	case !allDigits(s[:17]) || !(s[17] == 'X' || (s[17] >= '0' && s[17] <= '9')):
		m := msg("id_chars")
		return "", &m
	}
	if _, err := time.Parse("20060102", s[6:14]); err != nil || s[6:10] < "1880" {
		m := msg("id_date", s[6:14])
		return "", &m
	}
	if c := CheckDigit(s[:17]); c != s[17] {
		if strings.HasSuffix(s, "000") {
			m := msg("id_check_lost")
			return "", &m
		}
		m := msg("id_check", string(c))
		return "", &m
	}
	return s, nil
}

// phoneSepRE splits a cell holding several phone numbers.
var phoneSepRE = regexp.MustCompile(`[/、,，;；|]+`)

var (
	mobileRE   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlineRE = regexp.MustCompile(`^(0[0-9]{2,3})-?([0-9]{7,8})$`)
	localRE    = regexp.MustCompile(`^[2-8][0-9]{6,7}$`) // local numbers never start with 0 or 1
)

// parsePhone checks one or more phone numbers (mobile, landline with area code, or a local
// number) and writes them plainly, several joined by "/". A number stored as a number in
// scientific notation with digits missing is named as such.
func parsePhone(cell string) (string, *Msg) {
	s := compact(cell)
	if s == "" {
		return "", nil
	}
	if d, lost, ok := expandNumber(s); ok && lost > 0 {
		m := msg("phone_sci", s)
		return "", &m
	} else if ok {
		s = d
	}
	var out []string
	for _, part := range phoneSepRE.Split(s, -1) {
		p := strings.TrimPrefix(strings.TrimPrefix(part, "+86"), "(+86)")
		if len(p) == 13 && strings.HasPrefix(p, "86") {
			p = p[2:]
		}
		p = brackets.Replace(p)
		if p == "" {
			continue
		}
		digits := strings.ReplaceAll(p, "-", "")
		switch {
		case mobileRE.MatchString(digits):
			out = append(out, digits)
		case landlineRE.MatchString(p):
			m := landlineRE.FindStringSubmatch(p)
			out = append(out, m[1]+"-"+m[2])
		case localRE.MatchString(digits) && strings.Count(p, "-") == 0:
			out = append(out, digits)
		default:
			m := msg("phone_bad", part)
			return "", &m
		}
	}
	return strings.Join(out, "/"), nil
}

// brackets are dropped from phone numbers: (0531)88886666.
var brackets = strings.NewReplacer("(", "", ")", "", "（", "", "）", "")

// parseGender reads 男/女 in the ways people write them.
func parseGender(s string) (string, *Msg) {
	switch strings.ToLower(compact(s)) {
	case "":
		return "", nil
	case "男", "男性", "m", "male", "1":
		return "男", nil
	case "女", "女性", "f", "female", "2":
		return "女", nil
	}
	m := msg("gender_bad", text(s))
	return "", &m
}

// bornRE matches a year and month written out: 1965-05, 1965/5/1, 1965.05, 1965年5月3日.
var bornRE = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?|\s*月)?$`)

// parseBorn reads a birth month into YYYY-MM from the ways rosters write it, and from a real
// date cell (an Excel serial number under a date format).
func parseBorn(cell string, thisYear int) (string, *Msg) {
	s := compact(cell)
	if s == "" {
		return "", nil
	}
	var y, mth int
	if m := bornRE.FindStringSubmatch(s); m != nil {
		y, _ = strconv.Atoi(m[1])
		mth, _ = strconv.Atoi(m[2])
	} else if allDigits(s) && (len(s) == 6 || len(s) == 8) {
		y, _ = strconv.Atoi(s[:4])
		mth, _ = strconv.Atoi(s[4:6])
	} else if v, err := strconv.ParseFloat(s, 64); err == nil && v >= 1 && v < 80000 && v == math.Trunc(v) {
		// A date cell: Excel stores the day count since 1900.
		if t, err := excelize.ExcelDateToTime(v, false); err == nil {
			y, mth = t.Year(), int(t.Month())
		}
	}
	if y < 1880 || y > thisYear || mth < 1 || mth > 12 {
		m := msg("born_bad", text(cell))
		return "", &m
	}
	return fmt.Sprintf("%04d-%02d", y, mth), nil
}

// bornFromID returns the birth month (YYYY-MM) and gender an ID number encodes.
func bornFromID(id string) (born, gender string) {
	if len(id) != 18 {
		return "", ""
	}
	gender = "女"
	if (id[16]-'0')%2 == 1 {
		gender = "男"
	}
	return id[6:10] + "-" + id[10:12], gender
}

// relation normalises the relation to the head: 本人 is how some registers write 户主.
func relation(s string) string {
	s = compact(s)
	if s == "本人" || s == "户主本人" {
		return "户主"
	}
	return s
}

// political normalises a political status (政治面貌) to the register's words.
func political(s string) string {
	s = compact(s)
	switch s {
	case "党员", "共产党员", "中共党员", "中国共产党党员":
		return "中共党员"
	case "预备党员", "中共预备党员":
		return "中共预备党员"
	case "团员", "共青团员":
		return "共青团员"
	}
	return s
}

// householdSpecials are the special groups (特殊群体) that describe a household rather than a
// person; the others (孤寡老人, 留守儿童, 残疾人, …) describe a person.
var householdSpecials = []string{"困难家庭", "低保户"}

// specialSepRE splits a special-groups cell: 、 ， , ; ； and spaces.
var specialSepRE = regexp.MustCompile(`[、，,;；/\s]+`)

// specials splits a special-groups cell into the household's and the person's groups.
func specials(s string) (household, person []string) {
	for _, p := range specialSepRE.Split(text(s), -1) {
		switch p {
		case "":
			continue
		case "低保", "低保家庭":
			p = "低保户"
		case "困难户":
			p = "困难家庭"
		}
		if contains(householdSpecials, p) {
			household = appendNew(household, p)
		} else {
			person = appendNew(person, p)
		}
	}
	return household, person
}

func contains[T comparable](ss []T, s T) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func appendNew(ss []string, s string) []string {
	if contains(ss, s) {
		return ss
	}
	return append(ss, s)
}

// postAliases maps the ways rosters write a cadre's post to the township's words.
var postAliases = map[string]string{
	"书记": "党委书记", "新村党委书记": "党委书记", "村党委书记": "党委书记", "党总支书记": "党委书记", "村党支部书记": "党委书记",
	"驻村第一书记": "第一书记",
	"指导员":    "新村指导员", "包村指导员": "新村指导员",
	"两委委员": "两委成员", "村两委成员": "两委成员", "两委干部": "两委成员",
	"监委会委员": "监委会成员", "监督委员会成员": "监委会成员",
	"网格党组织书记": "网格书记", "网格党支部书记": "网格书记",
}

// post normalises a cadre's post.
func post(s string) string {
	s = compact(s)
	if p, ok := postAliases[s]; ok {
		return p
	}
	return s
}
