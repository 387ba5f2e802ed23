package demo

import "sanbai/store"

// factSheets are the written parts of the demo villages' fact sheets (明白纸), as a village's
// two committees would write them: what the merged village is, what it lives on, what its
// service centre does, and where it is going. 北塘新村 has not written its page yet, so the
// demo shows an empty page too.
func factSheets() []store.FactSheet {
	return []store.FactSheet{
		{
			Village:    "DL",
			Profile:    "东岭新村由原东岭、前岭、石门、杨庄四村合并而成，依山傍水，耕地六千余亩，是镇里的林果大村。\n新村党委下设五个网格党支部，村委会设在东岭村原址。",
			Industries: []string{"苹果樱桃种植", "果品合作社冷链仓储", "石门山乡村旅游"},
			Services: []string{"社保、医保参保缴费代办", "老年人优待证、残疾人证代办", "低保、特困救助申请受理",
				"法律咨询与矛盾调解（每周三上午）", "农技服务：果树修剪、病虫害防治指导", "快递代收与农产品代销"},
			Vision: "五年内建成果品产业强村：林果面积稳定在四千亩以上，合作社带动户均增收一万元；村容整洁，供水入户全覆盖。",
			Tasks:  []string{"完成供水管网改造（头雁工程）", "建设果品分拣中心和冷库二期", "石门山旅游步道与停车场", "每个网格建成一处老年人助餐点"},
		},
		{
			Village:    "XH",
			Profile:    "西河新村由原西河、河口、柳沟、大庄、沙岭五村合并而成，沿河平原，耕地九千亩，以粮食和蔬菜种植为主。",
			Industries: []string{"小麦、玉米规模种植", "设施蔬菜大棚", "农机合作社社会化服务"},
			Services: []string{"社保、医保参保缴费代办", "土地流转合同登记与纠纷调解", "农机作业预约",
				"就业信息发布与技能培训报名", "儿童之家（周末开放）"},
			Vision: "五年内建成粮菜产业示范村：生产路全部硬化，高标准农田全覆盖，蔬菜大棚达到三百个。",
			Tasks:  []string{"生产路硬化（头雁工程）", "高标准农田建设", "蔬菜交易市场改造", "河道两岸环境整治"},
		},
		{
			Village:    "NS",
			Profile:    "南山新村由原南山、石岗、桃园、南峪四村合并而成，山区丘陵，桃园面积大，外出务工人员多，留守老人和儿童较多。",
			Industries: []string{"桃、板栗种植", "山货电商", "劳务输出"},
			Services: []string{"社保、医保参保缴费代办", "留守老人探访关爱（网格员每周一次）", "乡村夜校：电商、种植技术、法律常识",
				"外出务工人员返乡创业咨询"},
			Vision: "五年内建成山区宜居宜业新村：桃园提质增效，电商带货户户有门路，老人有人管、孩子有人帮。",
			Tasks:  []string{"乡村夜校提升（头雁工程）", "桃园品种改良一千亩", "电商服务站进网格", "幸福院扩建"},
		},
	}
}
