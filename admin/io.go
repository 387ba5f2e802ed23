package admin

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sanbai/clean"
	"sanbai/ledgerio"
	"sanbai/store"
)

// ConnChecker is implemented by the standard input of an SSH command: Err reports a dropped
// connection, so an import whose sender went away is not committed.
type ConnChecker interface{ Err() error }

// parseInterleaved parses flags that may come before or after the positional arguments
// (`import roster.xlsx --dry-run`), which the flag package alone stops at.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// say picks the Chinese or English text.
func say(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

func langFlag(fs *flag.FlagSet) *string {
	return fs.String("lang", "zh", "language of messages: zh or en")
}

// progressReader tells how much of a big upload has arrived, every 2 MB.
type progressReader struct {
	r       io.Reader
	w       io.Writer
	lang    string
	n, next int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if p.n >= p.next {
		fmt.Fprintf(p.w, say(p.lang, "已读入 %d MB…\n", "read %d MB…\n"), p.n>>20)
		p.next += 2 << 20
	}
	return n, err
}

// importCmd imports a roster file: parse and check everything, then import all of it or
// nothing.
func importCmd(env Env, args []string) error {
	fs := newFlags(env, "import", "import FILE [--dry-run] [--township NAME] [--allow-move-out]   (over SSH: import [--dry-run] < FILE)")
	dry := fs.Bool("dry-run", false, "check the file and say what would change, without changing anything")
	township := fs.String("township", "", "the township's name, for the first import into an empty store")
	allowMass := fs.Bool("allow-move-out", false, "import even if more than half of a grid's households (or of a village's cadres) would go")
	lang := langFlag(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return fmt.Errorf("%w: import takes one file", ErrUsage)
	}
	name := "-"
	if len(pos) == 1 {
		name = pos[0]
	}
	var in io.Reader
	switch {
	case env.Remote && name != "-":
		return fmt.Errorf("%w: over SSH the file comes on standard input: ssh -p PORT HOST import [--dry-run] < %s", ErrUsage, clean.Line(name))
	case name == "-" && !env.Remote && len(pos) == 0:
		return fmt.Errorf("%w: import needs a file: sanbai import FILE [--dry-run] (or - for standard input)", ErrUsage)
	case name == "-":
		in = env.Stdin
	default:
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("%s: %w", say(*lang, "打不开文件", "cannot open the file"), err)
		}
		defer f.Close()
		in = f
	}
	if env.Store == nil {
		return errors.New("no store")
	}
	data, err := ledgerio.ReadAll(&progressReader{r: in, w: env.Stderr, lang: *lang, next: 2 << 20})
	if err != nil {
		return inLang(err, *lang)
	}
	if len(data) == 0 {
		return errors.New(say(*lang, "文件是空的（什么也没有收到）", "the file is empty (nothing arrived)"))
	}
	wb, err := ledgerio.ReadWorkbook(data, name)
	if err != nil {
		return inLang(err, *lang)
	}
	rows := 0
	for _, sh := range wb.Sheets {
		rows += len(sh.Rows)
	}
	if rows > 2000 {
		fmt.Fprintf(env.Stderr, say(*lang, "正在检查 %d 行…\n", "checking %d rows…\n"), rows)
	}
	villages, err := env.Store.Villages(env.Ctx, store.System())
	if err != nil {
		return err
	}
	grids, err := env.Store.Grids(env.Ctx, store.System())
	if err != nil {
		return err
	}
	parsed := ledgerio.ParseRoster(wb, ledgerio.Reference{Actor: env.Actor, Villages: villages, Grids: grids, Today: env.Store.Now()})
	for _, s := range parsed.Sheets {
		fmt.Fprintln(env.Stdout, ledgerio.Msg{Key: "note_sheet", Args: []any{s.Name, s.Kind, s.HeaderRow, s.Rows}}.In(*lang))
	}
	for _, n := range parsed.Notes {
		fmt.Fprintln(env.Stdout, n.In(*lang))
	}
	if len(parsed.Problems) > 0 {
		for _, l := range ledgerio.FormatProblems(parsed.Problems, *lang, 500) {
			fmt.Fprintln(env.Stderr, l)
		}
		return fmt.Errorf(say(*lang, "没有导入任何数据：文件有 %d 处问题（见上），请改正后重新导入",
			"nothing was imported: the file has %d problems (listed above); correct them and import it again"), len(parsed.Problems))
	}
	r := parsed.Roster
	r.Source = filepath.Base(name)
	if name == "-" {
		r.Source = "stdin"
	}
	r.Township = *township
	opts := store.ImportOptions{DryRun: *dry, Progress: progress(env.Stderr, *lang), AllowMassMoveOut: *allowMass}
	if c, ok := env.Stdin.(ConnChecker); ok {
		// Asking the client costs a round trip: once a second while staging, and always
		// just before the commit.
		var last time.Time
		opts.Abort = func() error {
			if time.Since(last) < time.Second {
				return nil
			}
			last = time.Now()
			return c.Err()
		}
		opts.Confirm = c.Err
	}
	rep, err := env.Store.ImportRoster(env.Ctx, env.Actor, r, opts)
	var conflict *store.ImportConflictError
	if errors.As(err, &conflict) {
		if *dry {
			printReport(env.Stdout, rep, "refused", *lang)
			return errors.New(say(*lang, "试运行：导入会停下，一条也不写——", "dry run: the import would stop and write nothing: ") + conflictText(conflict, *lang))
		}
		return errors.New(say(*lang, "没有导入任何数据：", "nothing was imported: ") + conflictText(conflict, *lang))
	}
	if errors.Is(err, store.ErrMassMoveOut) {
		printReport(env.Stdout, rep, "refused", *lang)
		return fmt.Errorf(say(*lang, "没有导入任何数据：按这个文件，%s要记为迁出（删除）。文件如果只是一部分，请补全；如果确实如此，加 --allow-move-out 再导入一次",
			"nothing was imported: by this file %s would go. If the file is only part of the roster, complete it; if this is right, import again with --allow-move-out"),
			massText(rep.Mass, *lang))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", say(*lang, "没有导入任何数据", "nothing was imported"), err)
	}
	mode := "done"
	if *dry {
		mode = "dry"
	}
	printReport(env.Stdout, rep, mode, *lang)
	return nil
}

// conflictText names the rows an import found changed by others since it read them, and who
// changed them, and asks for the import to be run again.
func conflictText(e *store.ImportConflictError, lang string) string {
	var rows []string
	for i, r := range e.Rows {
		if i == 20 {
			rows = append(rows, say(lang, fmt.Sprintf("另有 %d 条", len(e.Rows)-i), fmt.Sprintf("and %d more", len(e.Rows)-i)))
			break
		}
		s := word(kindWords, r.Kind, lang) + " " + r.ID
		if r.Who != "" {
			s += say(lang, "（"+r.Who+" "+r.At.Format("01-02 15:04")+" 改）", " (changed by "+r.Who+" at "+r.At.Format("01-02 15:04")+")")
		}
		rows = append(rows, s)
	}
	return say(lang, "读取文件之后，以下记录被别人改过："+strings.Join(rows, "、")+"。请再导入一次（会按现在的数据重新比对）。",
		"since the import read the store, others changed these rows: "+strings.Join(rows, ", ")+". Run the import again (it compares with the store as it is now).")
}

// inLang puts a file refused for an import limit in the user's language.
func inLang(err error, lang string) error {
	var le *ledgerio.LimitError
	if errors.As(err, &le) {
		return errors.New(le.In(lang))
	}
	return err
}

// progress prints how far a big import's writing is, every tenth.
func progress(w io.Writer, lang string) func(string, int, int) {
	last := map[string]int{}
	return func(phase string, done, total int) {
		if total < 2000 || phase == "plan" {
			return
		}
		tenth := done * 10 / total
		if tenth == last[phase] {
			return
		}
		last[phase] = tenth
		what := map[string][2]string{"stage": {"暂存", "staging"}, "apply": {"写入", "writing"}}[phase]
		fmt.Fprintf(w, say(lang, "%s %d%%（%d/%d）\n", "%s %d%% (%d/%d)\n"), say(lang, what[0], what[1]), tenth*10, done, total)
	}
}

// Words for the import report.
var (
	kindWords = map[string][2]string{"village": {"新村", "villages"}, "grid": {"网格", "grids"}, "household": {"户", "households"},
		"resident": {"人", "residents"}, "member": {"党员", "members"}, "cadre": {"干部", "cadres"}, "team": {"走访小队", "teams"},
		"factsheet": {"明白纸", "fact sheets"}, "township": {"镇", "township"}, "official": {"镇领导和镇干部", "township officials"}}
	fieldWords = map[string][2]string{"name": {"姓名", "name"}, "relation": {"与户主关系", "relation"}, "gender": {"性别", "gender"},
		"born": {"出生年月", "born"}, "id_number": {"身份证号", "ID number"}, "phone": {"联系电话", "phone"},
		"political": {"政治面貌", "political status"}, "special": {"特殊群体", "special groups"}, "address": {"门牌地址", "address"},
		"grid": {"网格", "grid"}, "residents": {"成员", "members of the household"}, "secretary": {"网格书记", "grid secretary"},
		"profile": {"村情", "profile"}, "industries": {"产业", "industries"}, "services": {"服务", "services"},
		"vision": {"远景", "vision"}, "tasks": {"任务", "tasks"}}
	actionMarks = map[string]string{"add": "+", "change": "~", "moveout": "-", "return": "+", "remove": "-"}
	actionWords = map[string][2]string{"add": {"新增", "add"}, "change": {"更新", "change"}, "moveout": {"迁出", "moved out"},
		"return": {"迁回", "back"}, "remove": {"删除", "remove"}}
)

func word(m map[string][2]string, k, lang string) string {
	w, ok := m[k]
	if !ok {
		return k
	}
	return say(lang, w[0], w[1])
}

// printReport says what an import did ("done"), would do ("dry", with the rows themselves, the
// first 200) or would have done ("refused"): counts per kind of row.
func printReport(w io.Writer, rep store.ImportReport, mode, lang string) {
	line := func(kind string, t store.Tally) {
		var parts []string
		for _, p := range []struct {
			n      int
			zh, en string
		}{{t.Added, "新增", "added"}, {t.Changed, "更新", "changed"}, {t.MovedOut, "迁出", "moved out"},
			{t.Returned, "迁回", "back"}, {t.Removed, "删除", "removed"}, {t.Unchanged, "不变", "unchanged"}} {
			if p.n > 0 {
				parts = append(parts, say(lang, fmt.Sprintf("%s %d", p.zh, p.n), fmt.Sprintf("%d %s", p.n, p.en)))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "%s%s%s\n", word(kindWords, kind, lang), say(lang, "：", ": "), strings.Join(parts, say(lang, "，", ", ")))
		}
	}
	line("village", rep.Villages)
	line("grid", rep.Grids)
	line("household", rep.Households)
	line("resident", rep.Residents)
	line("member", rep.Members)
	line("cadre", rep.Cadres)
	line("official", rep.Officials)
	line("team", rep.Teams)
	line("factsheet", rep.FactSheets)
	if len(rep.Mass) > 0 && mode == "dry" {
		fmt.Fprintf(w, say(lang, "注意：%s要记为迁出（删除）；导入时需加 --allow-move-out\n",
			"Note: %s would go; the import needs --allow-move-out\n"), massText(rep.Mass, lang))
	}
	if len(rep.Covered) > 0 {
		fmt.Fprintf(w, say(lang, "覆盖网格：%s（这些网格里文件没有列出的户和人记为迁出；其他网格不动）\n",
			"grids covered: %s (households and people of these grids the file does not list are marked moved out; other grids are left alone)\n"),
			strings.Join(rep.Covered, say(lang, "、", ", ")))
	}
	switch {
	case mode == "refused":
	case rep.Empty():
		fmt.Fprintln(w, say(lang, "没有变动：文件与库中一致。", "Nothing to change: the file matches the store."))
	case mode == "dry":
		limit := 200
		for i, c := range rep.Changes {
			if i == limit {
				fmt.Fprintf(w, say(lang, "……另有 %d 处变动\n", "… and %d more changes\n"), len(rep.Changes)-limit)
				break
			}
			s := strings.Join(slices.DeleteFunc([]string{actionMarks[c.Action], word(actionWords, c.Action, lang),
				word(kindWords, c.Kind, lang), c.ID, c.Name}, func(s string) bool { return s == "" }), " ")
			if len(c.Fields) > 0 {
				var fs []string
				for _, f := range c.Fields {
					fs = append(fs, word(fieldWords, f, lang))
				}
				s += say(lang, "：", ": ") + strings.Join(fs, say(lang, "、", ", "))
			}
			fmt.Fprintln(w, strings.TrimSpace(s))
		}
		fmt.Fprintln(w, say(lang, "试运行（--dry-run）：以上是将要发生的变动，没有写入任何数据。",
			"Dry run: these are the changes an import would make; nothing was written."))
	default:
		fmt.Fprintln(w, say(lang, "已导入。", "Imported."))
	}
}

// massText words the grids and villages an import would mostly empty.
func massText(ms []store.MassLoss, lang string) string {
	var parts []string
	for _, m := range ms {
		switch {
		case m.Cadres:
			parts = append(parts, say(lang, fmt.Sprintf("%s 的 %d 名干部中 %d 名", m.Code, m.Of, m.Gone),
				fmt.Sprintf("%d of the %d cadres of %s", m.Gone, m.Of, m.Code)))
		default:
			parts = append(parts, say(lang, fmt.Sprintf("网格 %s 的 %d 户中 %d 户", m.Code, m.Of, m.Gone),
				fmt.Sprintf("%d of the %d households of grid %s", m.Gone, m.Of, m.Code)))
		}
	}
	return strings.Join(parts, say(lang, "，", ", "))
}

// exportCmd writes a report: to a file locally, to standard output over SSH.
func exportCmd(env Env, args []string) error {
	fs := newFlags(env, "export", "export --report "+strings.Join(ledgerio.Reports, "|")+
		" [--format xlsx|csv|txt] -o FILE [--village CODE]   (over SSH the report goes to standard output)")
	report := fs.String("report", "", "the report: "+strings.Join(ledgerio.Reports, ", "))
	format := fs.String("format", "", "xlsx (default), csv, or txt (the fact sheet only); by default from -o FILE's extension")
	out := fs.String("o", "", "the file to write; - for standard output")
	village := fs.String("village", "", "only this village (a village code such as DL)")
	lang := langFlag(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", ErrUsage, clean.Line(pos[0]))
	}
	if *report == "" {
		return fmt.Errorf("%w: export needs --report (%s)", ErrUsage, strings.Join(ledgerio.Reports, ", "))
	}
	if env.Remote && *out != "" && *out != "-" {
		return fmt.Errorf("%w: over SSH the report goes to standard output: ssh -p PORT HOST export --report %s > FILE", ErrUsage, clean.Line(*report))
	}
	if !env.Remote && *out == "" {
		return fmt.Errorf("%w: export needs -o FILE (or -o - for standard output)", ErrUsage)
	}
	if *format == "" {
		*format = "xlsx"
		if ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), "."); ext == "csv" || ext == "txt" {
			*format = ext
		}
	}
	if *format == "text" {
		*format = "txt"
	}
	if *format != "xlsx" && *format != "csv" && *format != "txt" {
		return fmt.Errorf("%w: --format is xlsx, csv or txt", ErrUsage)
	}
	if env.Store == nil {
		return errors.New("no store")
	}
	if !slices.Contains(ledgerio.Reports, *report) {
		return fmt.Errorf("%w: %v %q (one of %s)", ErrUsage, ledgerio.ErrUnknownReport, clean.Line(*report), strings.Join(ledgerio.Reports, ", "))
	}
	if *format == "txt" && *report != "factsheet" {
		return fmt.Errorf("%w: --format txt is for the fact sheet; use xlsx or csv", ErrUsage)
	}
	d, err := ledgerio.Load(env.Ctx, env.Store, env.Actor, *village)
	if err != nil {
		return err
	}
	// Every export is in the audit trail before the first byte leaves. A report of personal
	// numbers gets them in full, for the users who may have them, through the store's audited
	// PersonalData; everyone else's, and every other report, keeps them masked.
	what := *report + "." + *format
	if ledgerio.Personal(*report) && env.Actor.CanExportPersonal() {
		err = d.Unmask(env.Ctx, env.Store, what)
	} else {
		err = env.Store.AuditExport(env.Ctx, env.Actor, what, *village)
	}
	if err != nil {
		return err
	}
	r, err := ledgerio.Build(d, *report)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if *format == "csv" && len(r.Tables) > 1 {
		fmt.Fprintln(env.Stderr, say(*lang, "CSV 只有一张表：写的是“"+r.Tables[0].Sheet+"”；其他表请用 --format xlsx",
			"a CSV holds one table: this is "+r.Tables[0].Sheet+"; use --format xlsx for the others"))
	}
	if *out == "" || *out == "-" {
		return ledgerio.Write(env.Stdout, r, *format)
	}
	// Write beside the target and rename, so a failed export never leaves half a file.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".sanbai-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := ledgerio.Write(tmp, r, *format); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	if r.Name == "factsheet" && *format != "csv" {
		fmt.Fprintf(env.Stderr, say(*lang, "已导出 %s 到 %s（%d 页）\n", "exported %s to %s (%d pages)\n"), r.Name, *out, len(r.Facts))
		return nil
	}
	rows := 0
	for _, t := range r.Tables {
		rows += len(t.Rows)
	}
	fmt.Fprintf(env.Stderr, say(*lang, "已导出 %s 到 %s（%d 行）\n", "exported %s to %s (%d rows)\n"), r.Name, *out, rows)
	return nil
}

// ProbeTimeout bounds how long Probe waits for the client's answer.
const ProbeTimeout = 15 * time.Second

// Probe returns a check that the SSH client is still there: it sends a channel request that
// wants a reply (clients answer unknown requests with a refusal) and waits for the answer. A
// stdin that ended tells nothing: a finished upload and a dropped connection both end in EOF.
func Probe(ctx context.Context, send func(name string, wantReply bool, payload []byte) (bool, error)) func() error {
	return func() error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("the connection dropped: %w", err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := send("keepalive@openssh.com", true, nil)
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("the connection dropped: %w", err)
			}
			return nil
		case <-time.After(ProbeTimeout):
			return errors.New("the connection did not answer")
		case <-ctx.Done():
			return fmt.Errorf("the connection dropped: %w", ctx.Err())
		}
	}
}

// CheckedReader is an SSH command's standard input with a check for the connection: an import
// asks Check before it commits, so a dropped connection imports nothing.
type CheckedReader struct {
	io.Reader
	Check func() error
}

// Err reports whether the connection is gone.
func (c CheckedReader) Err() error { return c.Check() }

// WithLang adds --lang=LANG to an import or export that names no language itself, so their
// messages come in the user's language.
func WithLang(args []string, lang string) []string {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") || (lang != "zh" && lang != "en") {
		return args
	}
	for _, a := range args {
		if a == "--lang" || a == "-lang" || strings.HasPrefix(a, "--lang=") || strings.HasPrefix(a, "-lang=") {
			return args
		}
	}
	return append(args[:len(args):len(args)], "--lang="+lang)
}

// RemoteAllowed reports whether a role may run an admin verb over SSH: township users run them
// all, village users import and export (the store keeps them to their own village), and
// inspectors export; help is for everyone who may run anything.
func RemoteAllowed(role store.Role, verb string) bool {
	switch role {
	case store.RoleTownship:
		return true
	case store.RoleVillage:
		return verb == "import" || verb == "export" || verb == "help" || verb == "--help" || verb == "-h"
	case store.RoleInspector:
		return verb == "export" || verb == "help" || verb == "--help" || verb == "-h"
	}
	return false
}

// RemoteRefusal says which commands a role may run over SSH, for one it may not.
func RemoteRefusal(role store.Role) string {
	switch role {
	case store.RoleVillage:
		return "sanbai: village users may run import and export (for their own village); the other admin commands are for township users."
	case store.RoleInspector:
		return "sanbai: inspectors may run export; the other admin commands are for township users."
	}
	return "sanbai: admin commands are for township users."
}
