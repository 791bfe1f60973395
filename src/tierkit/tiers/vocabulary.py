"""Every word tierkit shows a person, in English and Chinese, in one place.

Every scheme keeps a stable machine key per tier (``important_value``, ``high_end`` ...) in its
output column; labels and strategies are looked up from the key in the chosen language, so a
``--lang`` switch never changes a key.

* the tiers of every scheme (:class:`Tier`: key, labels, strategies), best first;
* :data:`TERMS`: axis titles, chart titles and messages, ``key -> (English, Chinese)``.

A test checks that every entry has both languages and the same ``{placeholders}`` in each.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tierkit.errors import TierkitError

LANGS = ("en", "zh")


@dataclass(frozen=True)
class Tier:
    """One tier of a scheme: its key, its names and the action it calls for."""

    key: str
    en: str
    zh: str
    strategy_en: str = ""
    strategy_zh: str = ""

    def label(self, lang: str) -> str:
        """Name of the tier in a language.

        Parameters
        ----------
        lang : {"en", "zh"}
            The language; anything but ``"zh"`` gives English.

        Returns
        -------
        str
            The name.
        """
        return self.zh if lang == "zh" else self.en

    def strategy(self, lang: str) -> str:
        """Action the tier calls for, in a language.

        Parameters
        ----------
        lang : {"en", "zh"}
            The language; anything but ``"zh"`` gives English.

        Returns
        -------
        str
            The strategy (empty when the tier has none).
        """
        return self.strategy_zh if lang == "zh" else self.strategy_en


def check_lang(lang: str) -> str:
    """Refuse a language other than those in :data:`LANGS`.

    Parameters
    ----------
    lang : str
        The language asked for.

    Returns
    -------
    str
        ``lang`` unchanged.

    Raises
    ------
    TierkitError
        When ``lang`` is not one of :data:`LANGS`.
    """
    if lang not in LANGS:
        raise TierkitError(f"lang: {lang!r} is not supported; expected one of {', '.join(LANGS)}")
    return lang


def tier_table(tiers) -> pd.DataFrame:
    """A scheme's tiers as a table (key, English, Chinese, strategies), for docs and reports.

    Examples
    --------
    >>> tier_table([Tier("a", "A", "甲", "do x", "做x")]).loc["a", "zh"]
    '甲'
    """
    return pd.DataFrame([t.__dict__ for t in tiers]).set_index("key")


def labels_for(keys: pd.Series, tiers, lang: str, what: str = "label") -> pd.Series:
    """Map a column of keys to labels (``what="label"``) or strategies (``"strategy"``).

    Keys that are missing (``NaN``) stay missing.

    Examples
    --------
    >>> labels_for(pd.Series(["a"]), [Tier("a", "A", "甲")], "zh").tolist()
    ['甲']
    """
    check_lang(lang)
    lookup = {t.key: (t.label(lang) if what == "label" else t.strategy(lang)) for t in tiers}
    return keys.map(lookup)


#: Tiers of :mod:`tierkit.tiers.rfm_classes`, best first.
RFM_CLASSES = (
    Tier("important_value", "Important value", "重要价值客户",
         "VIP treatment and dedicated service", "VIP待遇, 专属服务"),
    Tier("important_develop", "Important develop", "重要发展客户",
         "Promotions to bring them back more often", "促销活动, 提高购买频率"),
    Tier("important_retain", "Important retain", "重要保持客户",
         "Contact proactively, invite to events, prevent churn", "主动联系, 邀请参加活动, 防止流失"),
    Tier("important_winback", "Important win-back", "重要挽留客户",
         "Actively win back and ask for their views", "积极挽回, 征询意见"),
    Tier("general_value", "General value", "一般价值客户",
         "Standard service, good-value products", "标准服务, 推荐高性价比产品"),
    Tier("general_develop", "General develop", "一般发展客户",
         "Raise activity, cross-sell", "提高活跃度, 交叉销售"),
    Tier("general_retain", "General retain", "一般保持客户",
         "Send news of upcoming offers", "发送优惠活动信息"),
    Tier("general_winback", "General win-back", "一般挽留客户",
         "Let them be", "顺其自然, 不投入额外资源"),
)

#: Tiers of :mod:`tierkit.tiers.rfm_segments`, best first.
RFM_SEGMENTS = (
    Tier("champions", "Champions", "冠军客户",
         "Reward them; early access, ask for reviews", "奖励, 新品优先体验, 邀请评价"),
    Tier("loyal", "Loyal", "忠诚客户", "Upsell higher-value products, loyalty programme", "推荐高价值产品, 会员计划"),
    Tier("potential_loyalist", "Potential loyalist", "潜在忠诚客户",
         "Membership offers, recommend related products", "会员邀请, 推荐相关产品"),
    Tier("new", "New customers", "新客户", "Onboarding, build the relationship early", "新客引导, 尽早建立关系"),
    Tier("promising", "Promising", "有潜力客户", "Create brand awareness, free trials", "提升品牌认知, 免费试用"),
    Tier("need_attention", "Need attention", "需要关注客户",
         "Limited-time offers based on past purchases", "基于历史购买的限时优惠"),
    Tier("about_to_sleep", "About to sleep", "即将沉睡客户",
         "Share popular products, reconnect", "推荐热门产品, 重新建立联系"),
    Tier("at_risk", "At risk", "流失风险客户", "Personal emails, renewals, helpful resources", "个性化沟通, 续订提醒"),
    Tier("cant_lose", "Can't lose them", "不能失去的客户",
         "Win them back with new products; talk to them", "推出新品挽回, 直接沟通"),
    Tier("hibernating", "Hibernating", "沉睡客户",
         "Offer other relevant products and special discounts", "推荐相关产品和专属折扣"),
    Tier("lost", "Lost", "已流失客户", "Revive interest with outreach, else ignore", "尝试唤回, 否则不再投入"),
)

#: Tiers of :mod:`tierkit.tiers.abc_tiers`, best first.
ABC_TIERS = {
    "course": (
        Tier("high_end", "High-end", "高端客户",
             "Dedicated account manager, first call on new offers", "专人服务, 新产品优先"),
        Tier("important", "Important", "重要客户", "Priority service, loyalty benefits", "优先服务, 忠诚度奖励"),
        Tier("ordinary", "Ordinary", "普通客户",
             "Standard service, encourage larger baskets", "标准服务, 鼓励提升客单价"),
        Tier("small", "Small", "小客户", "Low-cost, self-service channels", "低成本自助服务"),
    ),
    "abc": (
        Tier("A", "A", "A类客户", "Manage closely", "重点管理"),
        Tier("B", "B", "B类客户", "Manage normally", "一般管理"),
        Tier("C", "C", "C类客户", "Manage at the lowest cost", "简单管理"),
    ),
    "pyramid": (
        Tier("platinum", "Platinum", "铂金客户", "Reward and retain; they are the most profitable", "重点维护, 奖励"),
        Tier("gold", "Gold", "黄金客户", "Grow them towards platinum", "培养升级"),
        Tier("iron", "Iron", "铁客户", "Serve efficiently; raise volume", "高效服务, 提升购买量"),
        Tier("lead", "Lead", "铅客户", "Cut the cost to serve or raise prices", "降低服务成本或提价"),
    ),
}

#: Tiers of :mod:`tierkit.tiers.lifecycle`, best first.
LIFECYCLE_STAGES = (
    Tier("potential", "Potential", "潜在客户", "Acquire: first-purchase offer", "获取: 首单优惠"),
    Tier("new", "New", "新客户", "Convert: second-purchase incentive, onboarding", "转化: 复购激励, 新客引导"),
    Tier("repeat", "Repeat", "回头客", "Grow: cross-sell, membership", "培养: 交叉销售, 会员"),
    Tier("loyal", "Loyal", "忠诚客户", "Retain: rewards, recognition, referrals", "保持: 奖励, 认可, 推荐"),
    Tier("at_risk", "At risk", "流失风险客户",
         "Re-activate now: personal contact, tailored offer", "及时唤醒: 个性化联系与优惠"),
    Tier("churned", "Churned", "已流失客户", "Win back selectively, learn why they left", "有选择地挽回, 了解流失原因"),
)

#: Tiers of :mod:`tierkit.tiers.clv_cs`, best first.
CLV_CS_CLASSES = (
    Tier("core", "Core", "核心客户",
         "Keep and reward: co-create, priority service", "保持与奖励: 共创, 优先服务"),
    Tier("at_risk_key", "Key at risk", "重点挽留客户",
         "Fix their problems first; assign an account manager", "优先解决问题, 指派客户经理"),
    Tier("growth", "Growth", "成长客户",
         "Upsell and cross-sell", "向上销售与交叉销售"),
    Tier("fragile", "Fragile", "波动客户",
         "Repair the experience before selling more", "先修复体验, 再推动销售"),
    Tier("advocate", "Advocate", "口碑客户",
         "Low-cost care, referral programmes", "低成本维护, 推荐计划"),
    Tier("marginal", "Marginal", "边缘客户",
         "Standard low-cost service", "标准低成本服务"),
    Tier("unrated", "Unrated (no survey answer)", "未评价客户 (无满意度数据)",
         "Ask for feedback: invite to the survey", "收集反馈: 邀请参与满意度调查"),
)

#: Tiers of :mod:`tierkit.tiers.value_potential`, best first.
VALUE_POTENTIAL_TIERS = (
    Tier("star", "Star (high value, high potential)", "明星客户 (高价值, 高潜力)",
         "Invest: strategic relationship, dedicated service, retain at all costs",
         "重点投入: 战略合作, 专属服务, 全力保持"),
    Tier("harvest", "Harvest (high value, low potential)", "收获客户 (高价值, 低潜力)",
         "Maintain efficiently: keep the relationship, limit new spending",
         "高效维持: 保持关系, 控制新增投入"),
    Tier("develop", "Develop (low value, high potential)", "潜力客户 (低价值, 高潜力)",
         "Grow: targeted offers, cross-sell, build the relationship",
         "重点培养: 定向优惠, 交叉销售, 建立关系"),
    Tier("low_priority", "Low priority (low value, low potential)", "低优先级客户 (低价值, 低潜力)",
         "Serve at minimal cost through self-service channels", "以最低成本通过自助渠道服务"),
)

#: Bands of a cluster's centre on each clustered feature, from the lowest standardised value to the
#: highest (cut at the quintiles of a standard normal, see :mod:`tierkit.clusters.naming`). The
#: key is the word in the cluster's name; the strategy is the action the band calls for (recency,
#: frequency and monetary; a cluster's strategy joins them).
CLUSTER_BANDS = {
    "recency": (
        Tier("very_recent", "very recent", "最近刚购买",
             "they are buying now: keep in touch", "正在购买: 保持联系"),
        Tier("recent", "recent", "近期购买", "keep them engaged", "保持互动"),
        Tier("mid_recency", "middling recency", "购买间隔中等",
             "remind them before they lapse", "在流失前提醒"),
        Tier("lapsing", "lapsing", "渐少购买", "win them back with a personal offer", "以个性化优惠挽回"),
        Tier("lapsed", "long lapsed", "久未购买",
             "one reactivation attempt, then stop", "尝试一次唤醒, 无效即停止"),
    ),
    "frequency": (
        Tier("rare", "rare buyers", "极少购买", "turn the first purchase into a second",
             "促成第二次购买"),
        Tier("infrequent", "infrequent", "购买较少", "give reasons to come back", "给出再次购买的理由"),
        Tier("mid_frequency", "middling frequency", "购买频率中等",
             "nudge them to buy more often", "鼓励提高购买频率"),
        Tier("frequent", "frequent", "经常购买", "membership and loyalty programme", "会员与忠诚计划"),
        Tier("very_frequent", "very frequent", "非常频繁", "reward their loyalty", "奖励其忠诚"),
    ),
    "monetary": (
        Tier("very_low_spend", "very low spend", "消费很低",
             "Minimal cost: self-service only", "最低成本: 仅自助服务"),
        Tier("low_spend", "low spend", "消费较低",
             "Low cost: automated messages", "低成本: 自动化触达"),
        Tier("mid_spend", "middling spend", "消费中等",
             "Develop: offers that raise the basket", "培养: 提升客单价的优惠"),
        Tier("high_spend", "high spend", "消费较高",
             "Invest: priority offers and service", "重点投入: 优先优惠与服务"),
        Tier("very_high_spend", "very high spend", "消费很高",
             "Protect: personal account care, premium service", "重点保护: 专人维护, 高端服务"),
    ),
    "tenure": (
        Tier("newest", "newest", "最新客户"),
        Tier("new", "new", "较新客户"),
        Tier("mid_tenure", "middling tenure", "客户时长中等"),
        Tier("long_tenure", "long tenure", "老客户"),
        Tier("longest_tenure", "longest tenure", "资深老客户"),
    ),
    "clv": (
        Tier("very_low_clv", "very low CLV", "CLV很低"),
        Tier("low_clv", "low CLV", "CLV较低"),
        Tier("mid_clv", "middling CLV", "CLV中等"),
        Tier("high_clv", "high CLV", "CLV较高"),
        Tier("very_high_clv", "very high CLV", "CLV很高"),
    ),
}

#: When two clusters fall in the same bands on every feature, the words that tell them apart on
#: the feature where their centres differ most, ``feature -> (higher, lower)``.
CLUSTER_COMPARATIVES = {
    "recency": (Tier("less_recent", "less recent", "购买较早"), Tier("more_recent", "more recent", "购买较近")),
    "frequency": (Tier("more_frequent", "more frequent", "更频繁"), Tier("less_frequent", "less frequent", "较不频繁")),
    "monetary": (Tier("higher_spend", "higher spend", "消费更高"), Tier("lower_spend", "lower spend", "消费更低")),
    "tenure": (Tier("longer_tenure", "longer tenure", "时长更长"),
               Tier("shorter_tenure", "shorter tenure", "时长更短")),
    "clv": (Tier("higher_clv", "higher CLV", "CLV更高"), Tier("lower_clv", "lower CLV", "CLV更低")),
}

TERMS = {
    # charts

    "customers": ("Customers", "客户数"),
    "customer_share": ("Share of customers", "客户占比"),
    "revenue_share": ("Share of revenue", "收入占比"),
    "revenue": ("Revenue", "收入"),
    "value": ("Historical value", "历史价值"),
    "potential": ("Potential (predicted CLV)", "潜在价值 (预测CLV)"),
    "mean_monetary": ("Mean monetary value by R and F score", "按R、F评分的平均消费金额"),
    "r_score": ("R score (5 = most recent)", "R评分 (5 = 最近)"),
    "f_score": ("F score", "F评分"),
    "pareto": ("Pareto curve: cumulative share of value", "帕累托曲线: 累计价值占比"),
    "cum_customers": ("Cumulative share of customers (largest first)", "累计客户占比 (从大到小)"),
    "cum_value": ("Cumulative share of value", "累计价值占比"),
    "equality": ("Equal shares", "均等分布"),
    "clv_cs": ("CLV-CS grid: customers and mean CLV", "CLV-CS矩阵: 客户数与平均CLV"),
    "clv_level": ("CLV level", "CLV等级"),
    "cs_level": ("Satisfaction level", "满意度等级"),
    "mean_clv": ("mean CLV", "平均CLV"),
    "unrated": ("without a survey answer", "无满意度数据"),
    "value_potential": ("Value-potential matrix", "客户价值-潜力矩阵"),
    "lifecycle": ("Lifecycle funnel", "客户生命周期漏斗"),
    "tier_shares": ("Tier shares: {column}", "客户等级占比: {column}"),
    "pie_customers": ("Customers by tier: {column}", "各等级客户数: {column}"),
    "pie_revenue": ("Revenue by tier: {column}", "各等级收入: {column}"),
    "high": ("high", "高"),
    "medium": ("medium", "中"),
    "low": ("low", "低"),
    "n": ("n", "人数"),
    "split": ("split", "分界"),
    # cluster charts

    "k": ("number of clusters k", "聚类数 k"),
    "inertia": ("inertia (within-cluster sum of squares)", "簇内平方和"),
    "silhouette": ("silhouette", "轮廓系数"),
    "chosen": ("chosen k = {k}", "选定 k = {k}"),
    "vote": ("the vote of the indices", "各指标投票"),
    "selection": ("Choosing k", "选择聚类数"),
    "snake": ("Snake plot: standardised feature means per cluster", "蛇形图: 各聚类标准化特征均值"),
    "scaled": ("mean of the scaled feature", "标准化特征均值"),
    "importance": ("Relative importance: cluster mean / population mean - 1", "相对重要性: 聚类均值 / 总体均值 - 1"),
    "recency": ("recency", "最近购买 (R)"),
    "frequency": ("frequency", "购买频率 (F)"),
    "monetary": ("monetary", "消费金额 (M)"),
    "tenure": ("tenure", "客户时长"),
    "clv": ("CLV", "CLV"),
    # migration
    "next_tier_gap": ("spend {gap:,.2f} more to reach {tier}", "再消费 {gap:,.2f} 即可升级为{tier}"),
    # grading alerts (tierkit.evaluation.alerts); numbers come preformatted
    "alerts": ("Before acting on these tiers", "使用这些分级之前请注意"),
    "alert_bgnbd_edge": (
        "CLV: the {model} fit is at the edge of the model ({shown}, outside {low}..{high}); the dropout chance "
        "after a purchase, a / (a + b) = {dropout}, is not learned from these customers",
        "CLV: {model} 拟合落在模型边界上 ({shown}, 超出 {low}..{high}); 购买后的流失概率 a / (a + b) = {dropout} "
        "并不是从这些客户身上学到的"),
    "alert_gg_flat": (
        "CLV: Gamma-Gamma q = {q}, v = {v}: the customers' average spends barely differ beyond chance, so "
        "everyone's expected spend is close to the overall mean",
        "CLV: Gamma-Gamma q = {q}, v = {v}: 客户之间平均消费的差异几乎不超出随机波动, 因此每位客户的预期消费都"
        "接近总体均值"),
    "alert_gg_q_near_1": (
        "CLV: Gamma-Gamma q = {q} is near 1, where the mean spend is undefined; expected spend and CLV are "
        "unstable",
        "CLV: Gamma-Gamma q = {q} 接近 1 (q = 1 时平均消费没有定义); 预期消费和 CLV 不稳定"),
    "alert_p_alive": (
        "CLV: P(alive) >= {alive} for {share} of the repeat customers; the model does not tell active from "
        "lapsed customers here",
        "CLV: {share} 的重复购买客户 P(alive) >= {alive}; 模型在这里分不清活跃客户和已流失客户"),
    "alert_penalty_shift": (
        "CLV: {penalizer}={value:g} moved {moves} from the unpenalised fit, which converges on these data; "
        "the penalty is not needed to fit them",
        "CLV: {penalizer}={value:g} 使参数偏离未加惩罚的拟合: {moves}; 这些数据不加惩罚也能收敛, 无需惩罚项"),
    "alert_dissolved": (
        "clusters: cluster(s) {names} dissolve when the customers are resampled (Jaccard < 0.6); do not act "
        "on them as segments",
        "聚类: 第 {names} 类在对客户重抽样后解体 (Jaccard < 0.6); 不要把它们当作细分群体来采取行动"),
    "alert_k_edge": (
        "clusters: k = {k} is the largest k searched, so the indices may prefer a larger one; search a wider "
        "k_range (--k-range)",
        "聚类: k = {k} 是搜索范围内最大的 k, 各指标可能更偏好更大的 k; 请扩大 k_range (--k-range) 搜索"),
    "alert_k_disagree": (
        "clusters: the validity indices disagree on k ({preferences}); k = {k} was chosen by {rule}; compare "
        "them with `tierkit clusters`",
        "聚类: 各有效性指标对 k 的选择不一致 ({preferences}); 按 {rule} 选定 k = {k}; 可用 `tierkit clusters` "
        "比较"),
    "alert_one_tier": (
        "{column}: {share} of the customers are {tier}; this scheme hardly separates them",
        "{column}: {share} 的客户都是 {tier}; 这种分级几乎没有把客户区分开"),
    "alert_empty_tiers": (
        "{column}: no customer is {tiers} ({n} of {total} tiers empty)",
        "{column}: 没有客户属于 {tiers} ({total} 个等级中有 {n} 个为空)"),
    "alert_few_answers": (
        "satisfaction: only {share} of the customers have a survey answer; the others are 'unrated' in the "
        "CLV-CS grid",
        "满意度: 只有 {share} 的客户有问卷回答; 其余客户在 CLV-CS 矩阵中为“未评分”"),
}


def term(key: str, lang: str, **fmt) -> str:
    """A word or message of :data:`TERMS` in ``lang``, formatted with ``fmt``.

    Parameters
    ----------
    key : str
    lang : {"en", "zh"}
    **fmt
        Values of the text's ``{placeholders}``.

    Returns
    -------
    str

    Examples
    --------
    >>> term("next_tier_gap", "zh", gap=12.5, tier="高端客户")
    '再消费 12.50 即可升级为高端客户'
    """
    text = TERMS[key][1 if check_lang(lang) == "zh" else 0]
    return text.format(**fmt) if fmt else text
