package tui

// uiTexts holds the texts of the focus stack's components (prompts, pickers, questions): key →
// {Chinese, English}. It is read-only; tr looks here after texts.
var uiTexts = map[string][2]string{
	"pick.none":          {"没有匹配的选项，请改一改输入", "Nothing matches; change what you typed"},
	"pick.waiting":       {"正在读取选项…读到后按所输入的选定", "Reading the choices… your enter applies when they arrive"},
	"ask.hint":           {"enter 确定 · esc 取消", "enter confirms · esc cancels"},
	"confirm.keys":       {"按 y 确定，n 或 esc 取消", "y to confirm, n or esc to cancel"},
	"confirm.keys.enter": {"按 y 或 enter 确定，n 或 esc 取消", "y or enter to confirm, n or esc to cancel"},
	"rt.confirm.suggest": {"用这 %d 个建议小组替换%s现有的小组吗？走访记录保留。", "Replace %[2]s's groups with these %[1]d? Visits stay."},
	"ask.ok":             {"确定", "ok"},
	"ask.cancel":         {"取消", "cancel"},
	"ask.pick":           {"选择", "choose"},
	"form.leave":         {"还有没保存的内容。", "This form has unsaved changes."},
	"form.leave.stuck":   {"只能放弃这份草稿。", "The draft can only be discarded."},
	"form.keep":          {"存为草稿", "keep as draft"},
	"form.discard":       {"放弃（删除草稿）", "discard (delete the draft)"},
	"form.edit":          {"继续编辑", "go on editing"},
	"form.kept":          {"已存为草稿，下次打开接着填", "Kept as a draft: it comes back when you open the form again"},
	"form.discarded":     {"已放弃，草稿已删除", "Discarded; the draft is deleted"},
	"form.stuck.hint":    {"（esc 可放弃）", "(esc to discard)"},
	"fs.stale.short":     {"未保存：%s 已先保存过明白纸", "Not saved: %s saved the sheet first"},
	"vf.last":            {"这户 %s 走访过", "Visited on %s"},
	"vf.last.missed":     {"，那次没见到：%s（排在前面）", "; not met then: %s (listed first)"},
	"vf.last.all":        {"，那次全家都见到了", "; everyone was met then"},
	"vf.officer":         {"指导员", "Officer"},
	"gf.restored":        {"已恢复上次未保存的小组表", "The group form you left is back"},
	"vf.title":           {"调研登记表", "Registration form"},
	"vf.title.edit":      {"修改走访记录 %s", "Correcting visit %s"},
	"vf.stuck.moved":     {"%s 这户已迁出，这张表不能再保存。", "%s has moved out: this form can no longer be saved."},
	"rf.stuck.done":      {"这些诉求已在别处回访过，这张表不能再保存。", "These concerns were revisited elsewhere: this form can no longer be saved."},
}
