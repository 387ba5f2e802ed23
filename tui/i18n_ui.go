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
}
