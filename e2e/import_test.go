package e2e

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/text/encoding/simplifiedchinese"

	"sanbai/store"
)

// runCommand runs `ssh HOST ARGS…` with stdin and returns what came back and the exit code.
func (s *server) runCommand(t *testing.T, signer gossh.Signer, stdin []byte, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	client, err := s.dial(gossh.PublicKeys(signer))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	for k, v := range env {
		if err := sess.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
	var o, e bytes.Buffer
	sess.Stdin, sess.Stdout, sess.Stderr = bytes.NewReader(stdin), &o, &e
	err = sess.Run(strings.Join(args, " "))
	var exit *gossh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitStatus()
	default:
		t.Fatalf("%v: %v", args, err)
	}
	return o.String(), e.String(), code
}

// TestImportExportOverSSH: a village user exports their roster over SSH and sends it back (no
// change), has a bad GBK file refused line by line, and may not run other admin verbs or touch
// another village; an inspector exports with masked numbers and may not import; a township
// user gets English when their client says so.
func TestImportExportOverSSH(t *testing.T) {
	s := startServer(t, false)
	village := s.addUser(t, "陈静", store.RoleVillage, "XH")
	inspector := s.addUser(t, "督查", store.RoleInspector, "")
	township := s.addUser(t, "李明", store.RoleTownship, "")

	xlsx, errOut, code := s.runCommand(t, village, nil, nil, "export", "--report", "residents")
	if code != 0 || !strings.HasPrefix(xlsx, "PK") {
		t.Fatalf("export: %d %s", code, errOut)
	}
	f, err := excelize.OpenReader(strings.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("人口")
	f.Close()
	for _, r := range rows[2:] {
		if r[0] != "西河新村" {
			t.Fatalf("a village user's export holds another village's row: %v", r)
		}
	}
	out, errOut, code := s.runCommand(t, village, []byte(xlsx), nil, "import")
	if code != 0 || !strings.Contains(out, "没有变动") {
		t.Fatalf("import back: %d\n%s\n%s", code, out, errOut)
	}

	bad, _ := simplifiedchinese.GBK.NewEncoder().String("新村,网格,户号,姓名,与户主关系,联系电话\r\n西河,河口网格,99,赵大,户主,1380013800\r\n东岭,1网格,98,王二,户主,\r\n")
	out, errOut, code = s.runCommand(t, village, []byte(bad), nil, "import", "--dry-run")
	want := "工作表“CSV”第 2 行 F 列（联系电话）：电话号码“1380013800”格式不对（手机号是 1 开头的 11 位数字，座机如 0531-88886666）\n" +
		"工作表“CSV”第 3 行 A 列（新村）：新村“东岭”不在您的范围内（您只能导入XH）\n" +
		"error: 没有导入任何数据：文件有 2 处问题（见上），请改正后重新导入\n"
	if code != 1 || errOut != want || !strings.Contains(out, "CSV 文件编码：GB18030") {
		t.Fatalf("bad file: %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}

	if _, errOut, code := s.runCommand(t, village, nil, nil, "user", "list"); code != 1 || !strings.Contains(errOut, "village users may run import and export") {
		t.Fatalf("village user list: %d %s", code, errOut)
	}
	if _, errOut, code := s.runCommand(t, inspector, []byte(xlsx), nil, "import"); code != 1 || !strings.Contains(errOut, "inspectors may run export") {
		t.Fatalf("inspector import: %d %s", code, errOut)
	}
	out, _, code = s.runCommand(t, inspector, nil, nil, "export", "--report", "residents", "--format", "csv", "--village", "XH")
	if code != 0 || !strings.Contains(out, "****") || strings.Count(out, "\n") < 100 {
		t.Fatalf("inspector export: %d %.300s", code, out)
	}

	// The township adds a household to the village's roster, in English. The same household
	// alone would be refused: it would mark the rest of its grid moved out.
	lone := "village,grid,household,name,relation,phone\n西河新村,河口网格,XH03-0999,钱九,户主,13900009999\n"
	english := map[string]string{"LANG": "en_US.UTF-8"}
	if _, errOut, code := s.runCommand(t, township, []byte(lone), english, "import"); code != 1 || !strings.Contains(errOut, "--allow-move-out") {
		t.Fatalf("lone household: %d %s", code, errOut)
	}
	roster, _, code := s.runCommand(t, township, nil, nil, "export", "--report", "residents", "--format", "csv", "--village", "XH")
	if code != 0 {
		t.Fatal("export csv")
	}
	roster += "西河新村,XH03,XH03-0999,河口村后街99号,钱九,户主,男,1970-01,,13900009999,群众,\r\n"
	out, errOut, code = s.runCommand(t, township, []byte(roster), english, "import")
	hh, res := line(out, "households:"), line(out, "residents:")
	if code != 0 || !strings.HasPrefix(hh, "households: 1 added, ") || !strings.HasPrefix(res, "residents: 1 added, ") ||
		strings.Contains(hh+res, "moved out") || !strings.Contains(out, "Imported.") {
		t.Fatalf("township import: %d\n%s\n%s", code, out, errOut)
	}
	if h, err := s.st.Household(t.Context(), store.System(), "XH", "XH03-0999"); err != nil || h.Residents[0].Phone != "139****9999" {
		t.Fatalf("imported household: %v %+v", err, h)
	}
	if p, err := s.st.Reveal(t.Context(), store.System(), "XH", "XH03-0999", "XH03-0999-1", store.FieldPhone); err != nil || p != "13900009999" {
		t.Fatalf("imported phone: %q %v", p, err)
	}
}

// TestDroppedUploadImportsNothing: the client sends half a roster and its connection drops
// (no EOF, no exit status awaited): the server must not import the half it got.
func TestDroppedUploadImportsNothing(t *testing.T) {
	s := startServer(t, false)
	township := s.addUser(t, "李明", store.RoleTownship, "")
	before, _ := s.st.Households(t.Context(), store.System())
	client, err := s.dial(gossh.PublicKeys(township))
	if err != nil {
		t.Fatal(err)
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	if err := sess.Start("import"); err != nil {
		t.Fatal(err)
	}
	// A roster that would import fine as far as it goes.
	if _, err := stdin.Write([]byte("village,grid,household,name,relation\n西河新村,河口网格,XH03-0998,孙八,户主\n")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	client.Close()
	time.Sleep(500 * time.Millisecond)
	after, _ := s.st.Households(t.Context(), store.System())
	if len(after) != len(before) {
		t.Fatalf("a dropped upload imported %d households", len(after)-len(before))
	}
	if _, err := s.st.Household(t.Context(), store.System(), "XH", "XH03-0998"); err == nil {
		t.Fatal("the half roster was imported")
	}
}
