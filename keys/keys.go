// Package keys holds the one KeyMap of sanbai: every binding with its help text in Chinese
// and English, the per-pane help, and rebinding by name.
//
// A KeyMap is built per session (New) and never shared: one user's rebinding or language
// must not leak into another session.
package keys

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap is every binding of the application.
type KeyMap struct {
	// Global.
	Pane1, Pane2, Pane3, Pane4 key.Binding
	Pane5                      key.Binding
	NextPane, PrevPane         key.Binding
	Help                       key.Binding
	Quit                       key.Binding
	Lang                       key.Binding
	// Lean switches the lean profile for slow links on and off.
	Lean    key.Binding
	Refresh key.Binding
	// Facts opens the village fact sheet (明白纸) from any pane.
	Facts key.Binding
	// Find opens the household finder and card (户情卡) from any pane; / does too on a pane
	// that has nothing else to search.
	Find key.Binding

	// Lists.
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Top, Bottom      key.Binding
	Open, Back       key.Binding
	Left, Right      key.Binding

	// Queue triage.
	TagRed, TagYellow, TagGreen key.Binding
	Owner, Deadline, Plan       key.Binding
	Escalate, Return, Resolve   key.Binding
	Mark, Undo, Search          key.Binding
	TierFilter, TagFilter, Mine key.Binding
	Filter, ClearFilter, All    key.Binding
	Project, Meeting            key.Binding
	Limits, Sort                key.Binding

	// Visits and the registration form.
	New, Edit, NextHousehold      key.Binding
	FormNext, FormPrev, FormSave  key.Binding
	FormConcern, FormDrop         key.Binding
	FormToggle, FormChoice        key.Binding
	FormTag, FormTier, FormReason key.Binding

	// Revisit pane.
	RevisitView, Fill, Reassign, RevisitDue, Leader key.Binding
	// Routes pane.
	Remove, Suggest, MoveUp, MoveDown, PlanDays, Missed, Reached, CoverageView key.Binding
	// Team opens the village's visit team (走访小队): its captain and guiding officers.
	Team key.Binding
	// Officer adds a guiding officer to the team; Captain chooses its captain.
	Officer, Captain key.Binding
	// Phone records a phone contact with a person not met.
	Phone key.Binding
	// Revisit fills the revisit form of the household on a card.
	Revisit key.Binding
	// Reveal shows one person's full phone (audited); phones are masked otherwise.
	Reveal key.Binding
	// Overview pane.
	FileReport, Weights key.Binding
	// The rates' definitions, shown in the revisit pane's help.
	RateResponse, RateOnTime, RateRevisit, RateSatisfied key.Binding
	// RateRounding says how every percentage is rounded, in the same help.
	RateRounding key.Binding
}

// help texts: binding name → {keys shown, Chinese, English}.
type text struct{ keys, zh, en string }

// defs lists every binding by name with its default keys and help. It is read-only.
var defs = map[string]struct {
	keys []string
	help text
}{
	"pane1":         {[]string{"1"}, text{"1", "线路", "routes"}},
	"pane2":         {[]string{"2"}, text{"2", "走访", "visits"}},
	"pane3":         {[]string{"3"}, text{"3", "台账", "queue"}},
	"pane4":         {[]string{"4"}, text{"4", "回头看", "revisit"}},
	"pane5":         {[]string{"5"}, text{"5", "总览", "overview"}},
	"nextpane":      {[]string{"tab"}, text{"tab", "下一栏", "next pane"}},
	"prevpane":      {[]string{"shift+tab"}, text{"shift+tab", "上一栏", "previous pane"}},
	"help":          {[]string{"?"}, text{"?", "帮助", "help"}},
	"quit":          {[]string{"q", "ctrl+c"}, text{"q", "退出", "quit"}},
	"lang":          {[]string{"L"}, text{"L", "中/英", "中/EN"}},
	"lean":          {[]string{"B"}, text{"B", "省流显示", "lean display"}},
	"refresh":       {[]string{"ctrl+r"}, text{"ctrl+r", "刷新", "refresh"}},
	"facts":         {[]string{"i"}, text{"i", "明白纸", "fact sheet"}},
	"find":          {[]string{"ctrl+f"}, text{"ctrl+f", "查户(户情卡)", "find a household"}},
	"up":            {[]string{"up", "k"}, text{"↑/k", "上移", "up"}},
	"down":          {[]string{"down", "j"}, text{"↓/j", "下移", "down"}},
	"pageup":        {[]string{"pgup", "ctrl+b"}, text{"pgup", "上页", "page up"}},
	"pagedown":      {[]string{"pgdown"}, text{"pgdn", "下页", "page down"}},
	"top":           {[]string{"home"}, text{"home", "首行", "top"}},
	"bottom":        {[]string{"end"}, text{"end", "末行", "bottom"}},
	"open":          {[]string{"enter"}, text{"enter", "明细", "details"}},
	"back":          {[]string{"esc"}, text{"esc", "返回", "back"}},
	"left":          {[]string{"left", "h"}, text{"←/h", "上一项", "previous"}},
	"right":         {[]string{"right", "l"}, text{"→/l", "下一项", "next"}},
	"tagred":        {[]string{"r"}, text{"r", "挂红牌", "tag red"}},
	"tagyellow":     {[]string{"y"}, text{"y", "挂黄牌", "tag yellow"}},
	"taggreen":      {[]string{"g"}, text{"g", "挂绿牌", "tag green"}},
	"owner":         {[]string{"o"}, text{"o", "责任人", "owner"}},
	"deadline":      {[]string{"d"}, text{"d", "时限", "deadline"}},
	"plan":          {[]string{"p"}, text{"p", "方案", "plan"}},
	"escalate":      {[]string{">"}, text{">", "上报", "escalate"}},
	"return":        {[]string{"<"}, text{"<", "退回", "return"}},
	"resolve":       {[]string{"x"}, text{"x", "办结", "resolve"}},
	"mark":          {[]string{"space"}, text{"空格", "多选", "mark"}},
	"undo":          {[]string{"u"}, text{"u", "撤销", "undo"}},
	"search":        {[]string{"/"}, text{"/", "搜索", "search"}},
	"tierfilter":    {[]string{"t"}, text{"t", "按层级", "by tier"}},
	"tagfilter":     {[]string{"c"}, text{"c", "按颜色", "by colour"}},
	"mine":          {[]string{"m"}, text{"m", "我的", "mine"}},
	"filter":        {[]string{"f"}, text{"f", "筛选", "filter"}},
	"clearfilter":   {[]string{"0"}, text{"0", "清除筛选", "clear filters"}},
	"all":           {[]string{"a"}, text{"a", "含已办结", "show done"}},
	"project":       {[]string{"P"}, text{"P", "头雁工程", "lead projects"}},
	"meeting":       {[]string{"M"}, text{"M", "会议模式", "meeting mode"}},
	"limits":        {[]string{"T"}, text{"T", "红黄绿时限", "colour limits"}},
	"sort":          {[]string{"s"}, text{"s", "排序", "sort"}},
	"new":           {[]string{"a"}, text{"a", "新走访", "new visit"}},
	"edit":          {[]string{"e"}, text{"e", "修改", "edit"}},
	"nexthousehold": {[]string{"n"}, text{"n", "下一户", "next household"}},
	"formnext":      {[]string{"tab"}, text{"tab/↓/enter", "下一项", "next field"}},
	"formprev":      {[]string{"shift+tab"}, text{"shift+tab/↑", "上一项", "previous field"}},
	"formsave":      {[]string{"ctrl+s"}, text{"ctrl+s", "保存", "save"}},
	"formconcern":   {[]string{"ctrl+n"}, text{"ctrl+n", "加诉求", "add concern"}},
	"formdrop":      {[]string{"ctrl+d"}, text{"ctrl+d", "删诉求", "drop concern"}},
	"formtoggle":    {[]string{"space"}, text{"空格", "勾选/切换", "tick/switch"}},
	"formchoice":    {[]string{"left", "right"}, text{"←/→", "选项", "choose"}},
	"formtag":       {[]string{"r", "y", "g"}, text{"r/y/g", "红黄绿牌", "tag"}},
	"formtier":      {[]string{"o", "w"}, text{"o/w", "现场解决/交网格", "on site/to grid"}},
	"formreason":    {[]string{"r"}, text{"r", "不在家原因", "away reason"}},
	"revisitview":   {[]string{"v"}, text{"v", "切换视图", "next view"}},
	"remove":        {[]string{"d"}, text{"d", "解散", "dissolve"}},
	"filereport":    {[]string{"F"}, text{"F", "报送(冻结存档)", "file (frozen)"}},
	"weights":       {[]string{"W"}, text{"W", "考核权重", "score weights"}},
	"suggest":       {[]string{"s"}, text{"s", "建议分组", "suggest groups"}},
	"moveup":        {[]string{"K", "shift+up"}, text{"K", "前移", "move up"}},
	"movedown":      {[]string{"J", "shift+down"}, text{"J", "后移", "move down"}},
	"plandays":      {[]string{"p"}, text{"p", "分天计划", "plan days"}},
	"missed":        {[]string{"m"}, text{"m", "未覆盖名单", "not reached"}},
	"reached":       {[]string{"r"}, text{"r", "记为已联系", "mark reached"}},
	"reveal":        {[]string{"v"}, text{"v", "看完整电话", "show full phone"}},
	"coverageview":  {[]string{"c"}, text{"c", "分网格覆盖", "coverage by grid"}},
	"team":          {[]string{"t"}, text{"t", "走访小队", "visit team"}},
	"officer":       {[]string{"a"}, text{"a", "加指导员", "add officer"}},
	"captain":       {[]string{"c"}, text{"c", "定队长", "set captain"}},
	"phone":         {[]string{"enter"}, text{"enter", "走访/电话联系", "visit/phone"}},
	"revisit":       {[]string{"r"}, text{"r", "填回访表", "revisit"}},
	"fill":          {[]string{"f"}, text{"f", "填回访表", "fill revisit form"}},
	"reassign":      {[]string{"o"}, text{"o", "改派小组", "reassign group"}},
	"revisitdue":    {[]string{"D"}, text{"D", "回访截止日", "revisit deadline"}},
	"leader":        {[]string{"b"}, text{"b", "包村领导", "leader in charge"}},
	"rateresponse":  {[]string{"?"}, text{"响应率", "= (现场解决 + 时限内定方案) ÷ 全部诉求", "response = (solved on site + planned within the time limit) / concerns"}},
	"rateontime":    {[]string{"?"}, text{"按时办结率", "= 时限内办结 ÷ 已到期或已办结", "on time = resolved by the deadline / concerns due"}},
	"raterevisit":   {[]string{"?"}, text{"回访率", "= 已回访 ÷ 已办结", "revisit = revisited / resolved"}},
	"ratesatisfied": {[]string{"?"}, text{"满意率", "= (非常满意 + 满意 + 基本满意) ÷ 已回访", "satisfied = (very + satisfied + fairly) / revisited"}},
	"raterounding":  {[]string{"?"}, text{"百分比", "四舍五入到整数 (2/3 记 67%)，各栏、考核和报表都一样", "rounded half up to a whole percent (2/3 is 67%), the same on every pane, score sheet and table"}},
}

// New builds the key map with help in the given language ("zh" or "en").
func New(lang string) *KeyMap {
	k := &KeyMap{}
	for name, p := range k.byName() {
		d := defs[name]
		*p = binding(d.keys, d.help, lang)
	}
	return k
}

func binding(keys []string, t text, lang string) key.Binding {
	desc := t.zh
	if lang == "en" {
		desc = t.en
	}
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(t.keys, desc))
}

// byName maps each binding's name (for rebinding from config) to its field.
func (k *KeyMap) byName() map[string]*key.Binding {
	return map[string]*key.Binding{
		"pane1": &k.Pane1, "pane2": &k.Pane2, "pane3": &k.Pane3, "pane4": &k.Pane4, "pane5": &k.Pane5,
		"filereport": &k.FileReport, "weights": &k.Weights,
		"nextpane": &k.NextPane, "prevpane": &k.PrevPane, "help": &k.Help, "quit": &k.Quit,
		"lang": &k.Lang, "lean": &k.Lean, "refresh": &k.Refresh, "facts": &k.Facts, "find": &k.Find,
		"up": &k.Up, "down": &k.Down, "pageup": &k.PageUp, "pagedown": &k.PageDown,
		"top": &k.Top, "bottom": &k.Bottom, "open": &k.Open, "back": &k.Back,
		"left": &k.Left, "right": &k.Right,
		"tagred": &k.TagRed, "tagyellow": &k.TagYellow, "taggreen": &k.TagGreen,
		"owner": &k.Owner, "deadline": &k.Deadline, "plan": &k.Plan,
		"escalate": &k.Escalate, "return": &k.Return, "resolve": &k.Resolve,
		"mark": &k.Mark, "undo": &k.Undo, "search": &k.Search,
		"tierfilter": &k.TierFilter, "tagfilter": &k.TagFilter, "mine": &k.Mine,
		"filter": &k.Filter, "clearfilter": &k.ClearFilter, "all": &k.All,
		"project": &k.Project, "meeting": &k.Meeting, "limits": &k.Limits, "sort": &k.Sort,
		"new": &k.New, "edit": &k.Edit, "nexthousehold": &k.NextHousehold,
		"formnext": &k.FormNext, "formprev": &k.FormPrev, "formsave": &k.FormSave,
		"formconcern": &k.FormConcern, "formdrop": &k.FormDrop, "formtoggle": &k.FormToggle,
		"formchoice": &k.FormChoice, "formtag": &k.FormTag, "formtier": &k.FormTier, "formreason": &k.FormReason,
		"remove": &k.Remove, "suggest": &k.Suggest, "moveup": &k.MoveUp, "movedown": &k.MoveDown,
		"plandays": &k.PlanDays, "missed": &k.Missed, "reached": &k.Reached, "coverageview": &k.CoverageView, "reveal": &k.Reveal,
		"team": &k.Team, "officer": &k.Officer, "captain": &k.Captain, "phone": &k.Phone, "revisit": &k.Revisit,
		"revisitview": &k.RevisitView, "fill": &k.Fill, "reassign": &k.Reassign, "revisitdue": &k.RevisitDue, "leader": &k.Leader,
		"rateresponse": &k.RateResponse, "rateontime": &k.RateOnTime, "raterevisit": &k.RateRevisit, "ratesatisfied": &k.RateSatisfied,
		"raterounding": &k.RateRounding,
	}
}

// Names returns every binding name that Rebind accepts, sorted.
func Names() []string {
	out := make([]string, 0, len(defs))
	for n := range defs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Rebind replaces the keys of bindings by name ("quit" → ["q", "ctrl+q"]). An unknown name is
// an error naming it, so a typo in a config file is never silently ignored.
func (k *KeyMap) Rebind(m map[string][]string) error {
	fields := k.byName()
	var unknown []string
	for name := range m {
		if _, ok := fields[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("unknown key binding name(s): %s (known: %s)", strings.Join(unknown, ", "), strings.Join(Names(), ", "))
	}
	for name, ks := range m {
		b := fields[name]
		h := b.Help()
		*b = key.NewBinding(key.WithKeys(ks...), key.WithHelp(strings.Join(ks, "/"), h.Desc))
	}
	return nil
}
