package demo

// The demo township's fixed tables. They are read-only: the generator only draws from them,
// so one process can generate any number of townships concurrently.

const (
	townshipName = "青石镇"
	officeName   = "青石镇党建办"
	// homeRegion is the county part of most ID numbers (费县, 临沂): people born here.
	homeRegion = "371325"
)

// nearRegions are the neighbouring counties that wives and sons-in-law married in from.
var nearRegions = []string{"371302", "371311", "371312", "371321", "371322", "371323", "371324", "371326", "371327", "371328", "371329"}

// villageSpec describes one merged village: its old village core split into numbered grids,
// and the natural villages that merged in, each now a grid named after it.
type villageSpec struct {
	code, name, short string
	leader            string // the township leader in charge (包新村镇领导)
	// project is the category of concern the village took on as its lead project (头雁工程),
	// and projectName what the village calls it.
	project, projectName string
	grids                []gridSpec
}

// gridSpec describes a grid: the hamlet it is, its streets, and the surnames its families carry.
type gridSpec struct {
	name   string // "" for a numbered grid of the old village core ("1网格")
	hamlet string
	// rows marks the resettled core where houses stand in rows: "东岭前街3排2号"; elsewhere
	// houses are numbered along the street: "前岭村 中街12号".
	rows    bool
	streets []string
	// surnames is weighted by repetition: old villages are dominated by one or two clans.
	surnames string
}

var villageSpecs = []villageSpec{
	{code: "DL", name: "东岭新村", short: "东岭", leader: "刘建华", project: "饮水", projectName: "东岭新村供水管网改造", grids: []gridSpec{
		{hamlet: "东岭", rows: true, streets: []string{"前街", "中街", "幸福路"}, surnames: "王王王王王王李李张刘孙"},
		{hamlet: "东岭", rows: true, streets: []string{"后街", "北街", "和平路"}, surnames: "王王王王王李李孙刘张"},
		{name: "前岭网格", hamlet: "前岭村", streets: []string{"东街", "中街", "西街", "后街"}, surnames: "李李李李李李王王杜杜张"},
		{name: "石门网格", hamlet: "石门村", streets: []string{"前街", "中街", "北街"}, surnames: "张张张张张张刘刘石王李"},
		{name: "杨庄网格", hamlet: "杨庄村", streets: []string{"东街", "西街", "南街"}, surnames: "杨杨杨杨杨刘刘王孙"},
	}},
	{code: "XH", name: "西河新村", short: "西河", leader: "王志刚", project: "道路", projectName: "西河新村生产路硬化", grids: []gridSpec{
		{hamlet: "西河", rows: true, streets: []string{"河东街", "河西街", "振兴路"}, surnames: "刘刘刘刘刘刘赵赵高王"},
		{hamlet: "西河", rows: true, streets: []string{"新华街", "文明路", "育才路"}, surnames: "刘刘刘刘刘赵赵孙王"},
		{name: "河口网格", hamlet: "河口村", streets: []string{"前街", "中街", "后街"}, surnames: "赵赵赵赵赵赵徐徐刘"},
		{name: "柳沟网格", hamlet: "柳沟村", streets: []string{"东街", "西街", "沟北街"}, surnames: "孙孙孙孙孙高高刘马"},
		{name: "大庄网格", hamlet: "大庄村", streets: []string{"东街", "中街", "西街", "南街"}, surnames: "高高高高高王王李徐"},
		{name: "沙岭网格", hamlet: "沙岭村", streets: []string{"前街", "后街", "岭下街"}, surnames: "马马马马马徐徐于刘"},
	}},
	{code: "NS", name: "南山新村", short: "南山", leader: "冯立新", project: "乡村夜校", projectName: "南山新村乡村夜校提升", grids: []gridSpec{
		{hamlet: "南山", rows: true, streets: []string{"山前街", "中心路", "果园路"}, surnames: "陈陈陈陈陈张张周吴"},
		{name: "石岗网格", hamlet: "石岗村", streets: []string{"东街", "中街", "西街"}, surnames: "周周周周周陈陈吴郑"},
		{name: "桃园网格", hamlet: "桃园村", streets: []string{"前街", "后街", "桃园路"}, surnames: "张张张张张吴吴陈朱"},
		{name: "南峪网格", hamlet: "南峪村", streets: []string{"上街", "下街", "峪口街"}, surnames: "吴吴吴吴吴郭郭宋张"},
	}},
	{code: "BT", name: "北塘新村", short: "北塘", leader: "程慧敏", project: "环境卫生", projectName: "北塘新村人居环境整治", grids: []gridSpec{
		{hamlet: "北塘", rows: true, streets: []string{"塘北街", "塘南街", "兴业路"}, surnames: "孙孙孙孙孙于于董王"},
		{hamlet: "北塘", rows: true, streets: []string{"建设路", "光明街", "长青路"}, surnames: "孙孙孙孙于于董崔"},
		{name: "后塘网格", hamlet: "后塘村", streets: []string{"前街", "中街", "后街"}, surnames: "董董董董董孙孙姜"},
		{name: "苗家庄网格", hamlet: "苗家庄", streets: []string{"东街", "西街", "中街"}, surnames: "苗苗苗苗苗苗李李王"},
		{name: "于家洼网格", hamlet: "于家洼", streets: []string{"前街", "后街", "洼里街"}, surnames: "于于于于于于宋宋崔"},
	}},
}

// townshipOfficials are the township's leaders and staff (镇领导、镇干部), people in the store
// like the villages' cadres: the four leaders are each in charge of a village (包新村, the
// villages' leader fields name them), and the office staff own the township-tier cases of
// their office's matters — word is the committee portfolio word a matter goes by (see
// issue.owner).
var townshipOfficials = []struct{ name, post, duties, word string }{
	{"刘建华", "镇党委书记", "党委全面工作；包东岭新村", ""},
	{"王志刚", "镇长", "政府全面工作；包西河新村", ""},
	{"冯立新", "副镇长", "分管农业、水利、交通；包南山新村", ""},
	{"程慧敏", "镇党委副书记", "分管党建、综治；包北塘新村", ""},
	{"赵红梅", "党建办主任", "三百活动统筹、督导考核", "党建"},
	{"孙晓东", "党建办干事", "台账汇总、报送", ""},
	{"李国庆", "民政办主任", "低保、养老、残联、危房改造", "民政"},
	{"周海涛", "综治中心主任", "矛盾调处、信访", "综治"},
	{"吴春生", "经管站站长", "集体经济、土地流转、项目资金", "财务"},
	{"郑卫东", "应急管理办主任", "安全生产、消防、用电、环境整治", "安全"},
	{"钱丽萍", "妇联主席", "妇女儿童、留守儿童关爱", "妇联"},
}

// surnames are those common in the region, for people who married in or were posted here.
const surnames = "王李张刘陈杨赵孙徐马高于朱胡郭宋董杜孔苗颜魏姜崔吕田蒋韩冯程曹袁邓许傅沈彭吴周郑"

// Given names by the era people were born in: names date a generation as surely as a birth year.
var (
	maleOld     = []string{"建国", "建军", "国庆", "长青", "长山", "德明", "德厚", "振华", "树林", "学文", "庆丰", "福来", "金贵", "玉山", "洪亮", "守田", "广才", "成林", "春生", "兆祥", "立本", "宝山", "永福", "家顺", "士杰", "连成", "会明", "殿臣", "传贵", "纪合"}
	femaleOld   = []string{"秀英", "桂兰", "玉兰", "凤英", "淑珍", "桂英", "玉珍", "秀兰", "翠花", "金花", "春梅", "素芳", "兰英", "玉凤", "秀云", "淑英", "桂芝", "凤兰", "爱英", "秀芝", "月娥", "玉梅", "素贞", "桂香"}
	maleMid     = []string{"伟", "强", "军", "磊", "刚", "勇", "涛", "斌", "鹏", "海", "建华", "海军", "志刚", "红军", "永刚", "小龙", "文亮", "立新", "晓东", "春雷", "卫东", "庆华", "明亮", "玉成", "传峰", "金龙", "振宇", "兴旺", "新民", "广军"}
	femaleMid   = []string{"丽", "静", "敏", "霞", "燕", "红梅", "海燕", "丽娟", "秀梅", "春燕", "晓红", "美玲", "艳", "玉霞", "彩霞", "淑华", "翠英", "慧", "娜", "晓丽", "凤霞", "秀丽", "宁", "红霞"}
	maleYoung   = []string{"浩然", "子轩", "宇航", "俊杰", "一鸣", "梓豪", "皓轩", "明轩", "博文", "天佑", "浩宇", "嘉豪", "宇轩", "晨阳", "子豪", "睿", "鑫", "瑞", "家乐", "思远", "泽宇", "星辰", "俊熙", "奕辰", "文博", "凯"}
	femaleYoung = []string{"子涵", "欣怡", "梓萱", "雨桐", "诗涵", "一诺", "佳怡", "梦瑶", "思琪", "语嫣", "可馨", "若曦", "雨萱", "紫涵", "欣妍", "佳琪", "梦琪", "晓雪", "婷婷", "雪", "悦", "甜甜", "文静", "梓涵"}
)

// mobilePrefixes are the first three digits of mainland mobile numbers in use.
var mobilePrefixes = []string{"130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "198", "199"}

// County offices that send first secretaries (第一书记), and township offices whose staff are
// posted to a village as its guiding officer (新村指导员).
var (
	countyOffices   = []string{"县农业农村局", "县财政局", "县人社局", "县交通运输局", "县卫健局", "县供销社", "县水利局"}
	townshipOffices = []string{"镇党建办", "镇民政办", "镇经管站", "镇农业综合服务中心", "镇综治中心", "镇财政所"}
)

// committeeDuties are the portfolios (分工) of the village committee (两委) members. The first
// three are always held; concern categories are routed to their owner by these words.
var committeeDuties = []string{"民政、社保、残联", "安全生产、环境整治", "综治、调解、信访", "党建、组织、宣传", "财务、集体经济", "妇联、计生、团支部"}

// supervisorDuties are the portfolios of the village affairs supervision committee (监委会).
var supervisorDuties = []string{"村务监督、财务审核", "工程项目、惠民资金监督"}

// weekdays name the days of the duty rota (值班安排).
var weekdays = []string{"周一", "周二", "周三", "周四", "周五", "周六", "周日"}

// groupNumbers are the Chinese ordinals groups are named by: 第一组, 第二组, ….
var groupNumbers = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// note is a finding as written on the registration form: a category and the words.
type note struct{ category, text string }

// Findings that need no action: what visitors write down and pass on.
var (
	suggestionNotes = []note{
		{"环境整治", "建议在村口空地建个小游园，晚上有地方散步"},
		{"环境整治", "建议定期清理沟渠里的杂草和垃圾"},
		{"融合发展", "建议几个网格联合办文艺汇演，让各村群众多走动"},
		{"融合发展", "建议新村统一成立红白理事会，减少大操大办"},
		{"乡村治理", "建议村务公开栏每月更新，账目让群众看得明白"},
		{"乡村治理", "建议每个网格建个微信群，通知事情更方便"},
		{"产业发展", "建议新村牵头成立果品合作社，统一品牌销售"},
		{"产业发展", "建议把闲置的老学校改成农产品加工车间"},
		{"矛盾纠纷化解", "建议请老党员、老教师参加调解，说话群众信服"},
		{"共商议事", "建议村里大事先开户代表会，听听大家意见"},
	}
	needNotes = []note{
		{"医保社保", "希望村里集中代收医保，老人不会用手机缴费"},
		{"便民服务", "希望党群服务中心能代办社保卡、老年优待证"},
		{"养老服务", "希望村里办个老年食堂，中午能吃上热饭"},
		{"就业", "希望及时发布附近工厂的招工信息"},
		{"医疗", "希望卫生室每月组织一次老年人免费查体"},
		{"文化", "希望农家书屋多进些种植养殖方面的书"},
		{"交通", "希望公交车在村口多设一个站点"},
	}
	nightSchoolNotes = []note{
		{"电商", "想学电商直播，自己在网上卖桃和板栗"},
		{"果树修剪", "希望夜校开果树修剪和病虫害防治课"},
		{"智能手机", "希望教老人用智能手机视频通话、缴费"},
		{"防诈骗", "希望讲讲怎么防范电信诈骗"},
		{"法律知识", "想听听土地流转、赡养继承方面的法律知识"},
		{"种植技术", "想学大棚蔬菜种植技术"},
		{"家庭教育", "希望开设家庭教育讲座，教教怎么管孩子"},
		{"急救常识", "希望请卫生院医生讲讲急救常识"},
	}
	hazardNotes = []note{
		{"消防", "院内柴草堆放较多，已提醒远离灶房"},
		{"用电安全", "电动车在屋内充电，已讲解充电安全"},
		{"安全生产", "家中存放少量农药，已提醒单独上锁存放"},
		{"疫情防控", "家中老人有基础病，已提醒流感季注意防护、及时接种疫苗"},
		{"环境整治", "房后有少量生活垃圾堆放，已提醒及时清理"},
		{"村民纠纷", "与邻居曾因宅前空地有过口角，目前已缓和"},
		{"信访", "对前几年调地有看法，已耐心解释政策"},
	}
	// hardshipNotes are keyed by the special group they describe (category = the group).
	hardshipNotes = []note{
		{specialAlone, "老人无儿无女，独自生活，需要定期上门探望"},
		{specialAlone, "老人孤身一人，冬季取暖需要关注"},
		{specialLiveAlone, "老人独居，子女在外地工作，平时靠邻居照应"},
		{specialLiveAlone, "老人独自居住，腿脚不便，买菜买药不方便"},
		{specialHardship, "家中主要劳动力患病，收入低，孩子上学开销大"},
		{specialHardship, "因病致困，医药费负担重"},
		{specialDibao, "低保户，关心今年低保标准调整"},
		{specialDibao, "低保户，家中老人需要长期服药"},
		{specialLeftBehind, "孩子父母在外务工，由爷爷奶奶照看，学习上缺人辅导"},
		{specialLeftBehind, "留守儿童，性格内向，需要多关心"},
		{specialDisabled, "家中有残疾人，日常需要人照料"},
		{specialDisabled, "残疾人行动不便，希望提供上门服务"},
	}
	visitNotes = []string{
		"发放新村明白纸一份",
		"留下网格书记和包户党员联系电话",
		"老人耳背，已向其子女电话补充讲解",
		"户主在地里干活，到地头交谈",
		"群众对新村合并后的变化比较认可",
		"讲解了新村党群服务中心办事流程",
	}
)

// Revisit comments (回访意见), by outcome.
var (
	goodComments = []string{
		"问题解决了，党员干部办事实在",
		"很满意，说到做到",
		"上门好几次，很暖心",
		"解决得及时，感谢新村党委",
		"以后有事还找网格书记",
	}
	partlyComments = []string{
		"解决了一部分，还有尾巴没处理完",
		"处理过了，但还没彻底解决",
		"答复了，进度太慢",
	}
	notComments = []string{
		"反映好几次了，到现在还没动静",
		"只给了答复，没见实际行动",
	}
)
