"""Every word tierkit shows a person, in English and Chinese, in one place, below every stage.

Every scheme keeps a stable machine key per tier (``important_value``, ``high_end`` ...) in its
output column; labels and strategies are looked up from the key in the chosen language, so a
``--lang`` switch never changes a key.

* the tiers of every scheme (:class:`Tier`: key, labels, strategies), best first;
* the words of cluster names (:data:`CLUSTER_BANDS`, :data:`CLUSTER_COMPARATIVES`), and a
  cluster's label and strategy read from its name (:func:`cluster_label`, :func:`cluster_strategy`);
* :data:`TERMS`: axis titles, chart titles and messages, ``key -> (English, Chinese)``.

Every stage reads its words here; this module imports nothing of tierkit but its errors, so it
sits below every stage (the import contract in ``pyproject.toml``).

A test checks that every entry has both languages and the same ``{placeholders}`` in each.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

import tierkit.messages as _messages
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
        raise TierkitError("not_supported", param=_messages.Param("lang"), value=repr(lang), choices=", ".join(LANGS))
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

#: Bands of a cluster on each clustered feature, from the lowest values to the highest (cut on the
#: cluster's position in the base at 0.2, 0.4, 0.6 and 0.8, the middle word unless the cluster's mean
#: and median agree, see :mod:`tierkit.clusters.naming`). The key is the word in the cluster's name;
#: the strategy is the action the band calls for (recency, frequency and monetary; a cluster's
#: strategy joins them).
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

#: Word of a cluster name -> (feature, its tier): the bands and the comparatives.
_WORDS = {t.key: (feature, t) for feature, bands in CLUSTER_BANDS.items() for t in bands}
_WORDS.update({t.key: (feature, t) for feature, pair in CLUSTER_COMPARATIVES.items() for t in pair})
_COMPARATIVE_KEYS = {t.key for pair in CLUSTER_COMPARATIVES.values() for t in pair}
#: A cluster's strategy: the monetary band's investment first, then the recency and frequency bands' actions.
_STRATEGY_ORDER = ("monetary", "recency", "frequency")


def _words(name: str):
    parts = name.split("-")
    found = [_WORDS.get(p) for p in parts]
    return None if any(f is None for f in found) else found


def cluster_label(name: str, lang: str) -> str:
    """The readable label of a cluster name.

    Parameters
    ----------
    name : str
        A cluster name from :func:`tierkit.clusters.naming.cluster_names`.
    lang : {"en", "zh"}
        Language of the label.

    Returns
    -------
    str
        The band words in the language; the name itself when it is not made of band words.

    Examples
    --------
    >>> cluster_label("very_recent-frequent-high_spend", "en")
    'Very recent · frequent · high spend'
    >>> cluster_label("very_recent-frequent-high_spend", "zh")
    '最近刚购买·经常购买·消费较高'
    """
    check_lang(lang)
    found = _words(name)
    if found is None:
        return name
    if lang == "zh":
        return "·".join(t.zh for _, t in found)
    text = " · ".join(t.en for _, t in found)
    return text[:1].upper() + text[1:]


def cluster_strategy(name: str, lang: str) -> str:
    """The strategy a cluster's bands call for (see :mod:`tierkit.clusters.naming`).

    Parameters
    ----------
    name : str
        A cluster name from :func:`tierkit.clusters.naming.cluster_names`.
    lang : {"en", "zh"}
        Language of the strategy.

    Returns
    -------
    str
        The monetary band's investment, then the recency and frequency bands' actions, then
        the comparatives that tell the cluster from its twin; empty for other names.

    Examples
    --------
    >>> cluster_strategy("lapsing-infrequent-mid_spend", "en")
    'Develop: offers that raise the basket; win them back with a personal offer; give reasons to come back'
    """
    check_lang(lang)
    found = _words(name)
    if found is None:
        return ""
    by_feature = {feature: t for feature, t in found if t.strategy_en}
    actions = [by_feature[f].strategy(lang) for f in _STRATEGY_ORDER if f in by_feature]
    comparatives = [t.label(lang) for _, t in found if t.key in _COMPARATIVE_KEYS]
    text = "; ".join(actions)
    if comparatives:
        text += f" ({', '.join(comparatives)})" if lang == "en" else f" ({'、'.join(comparatives)})"
    return text


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
    # how k was chosen (tierkit.clusters.selection) and the clusters command
    "calinski_harabasz": ("Calinski-Harabasz", "Calinski-Harabasz 指数"),
    "davies_bouldin": ("Davies-Bouldin", "Davies-Bouldin 指数"),
    "k_prefers": ("{index} prefers k={k} ({value})", "{index} 偏好 k={k} ({value})"),
    "k_rule_alone": ("{index} alone: k={k} ({evidence})", "仅按{index}: k={k} ({evidence})"),
    "k_rule_no_knee": ("no knee in the inertia curve; best silhouette at k={k} ({evidence})",
                       "簇内平方和曲线没有拐点; 轮廓系数最佳的 k={k} ({evidence})"),
    "k_rule_knee": ("knee of the inertia curve (kneed) at k={k} ({evidence})",
                    "簇内平方和曲线的拐点 (kneed) 在 k={k} ({evidence})"),
    "k_rule_all": ("all three indices prefer k={k} ({evidence})", "三个指标都偏好 k={k} ({evidence})"),
    "k_rule_two": ("two of three indices prefer k={k}; the indices disagree ({evidence})",
                   "三个指标中有两个偏好 k={k}; 各指标不一致 ({evidence})"),
    "k_rule_rank": ("the indices disagree, each prefers another k; best mean rank at k={k} ({evidence})",
                    "各指标偏好的 k 各不相同; 平均排名最佳的 k={k} ({evidence})"),
    # the "action" rule (tierkit.clusters.selection): the largest k whose clusters can be acted on
    "k_rule_action": ("largest k whose clusters can be acted on: k={k} (smallest cluster {share} of the customers, "
                      "at least {min_share}; closest clusters {separation} standard deviations apart on value or "
                      "activity, at least {min_separation}; least stable cluster's Jaccard over {n_boot} bootstrap "
                      "resamples {jaccard}, at least {floor}){larger}; the indices' vote: {vote}",
                      "可据以行动的最大 k: k={k} (最小聚类占客户 {share}, 不低于 {min_share}; 最接近的两个聚类"
                      "在价值或活跃度上相距 {separation} 个标准差, 不低于 {min_separation}; {n_boot} 次自助重抽样中"
                      "最不稳定聚类的 Jaccard {jaccard}, 不低于 {floor}){larger}; 各指标投票: {vote}"),
    "k_rule_action_none": ("no k from {low} to {high} has clusters to act on ({reasons}); the indices' vote decides: "
                           "{vote}",
                           "{low} 到 {high} 之间没有可据以行动的 k ({reasons}); 由各指标投票决定: {vote}"),
    "k_larger_fail": ("; larger k fail: {reasons}", "; 更大的 k 未通过: {reasons}"),
    "k_small_cluster": ("k={k}: smallest cluster {share} < {min_share}", "k={k}: 最小聚类占 {share} < {min_share}"),
    "k_too_close": ("k={k}: closest clusters {separation} standard deviations apart < {min_separation}",
                    "k={k}: 最接近的两个聚类相距 {separation} 个标准差 < {min_separation}"),
    "k_small_cluster_final": ("k={k}: smallest cluster {share} < {min_share} on every customer",
                              "k={k}: 全体客户中最小聚类占 {share} < {min_share}"),
    "k_too_close_final": ("k={k}: closest clusters {separation} standard deviations apart < {min_separation} on "
                          "every customer",
                          "k={k}: 全体客户中最接近的两个聚类相距 {separation} 个标准差 < {min_separation}"),
    "k_unstable": ("k={k}: least stable cluster's Jaccard {jaccard} < {floor}",
                   "k={k}: 最不稳定聚类的 Jaccard {jaccard} < {floor}"),
    "action": ("the largest k whose clusters can be acted on", "可据以行动的最大 k"),
    "actionable": ("actionable", "可行动"),
    "small cluster": ("small cluster", "聚类过小"),
    "too close": ("too close", "聚类过近"),
    "unstable": ("unstable", "不稳定"),
    "not checked": ("not checked", "未检查"),
    "clusters_head": ("{n} customers as of {as_of}; features {features} ({transform}, standardised)",
                      "{n} 位客户 (截至 {as_of}); 特征 {features} ({transform}, 标准化)"),
    "choosing_k": ("choosing k:", "选择 k:"),
    "k_line": ("k = {k}: {rule}", "k = {k}: {rule}"),
    "stability_line": ("stability over {n} bootstrap resamples: adjusted Rand index {ari} (std {std}); rule of "
                       "thumb: {thumb}",
                       "{n} 次自助重抽样的稳定性: 调整兰德指数 {ari} (标准差 {std}); 经验规则: {thumb}"),
    "clusters_table": ("clusters (0 = most valuable; R/F/M means in original units):",
                       "聚类 (0 = 最有价值; R/F/M 为原始单位下的均值):"),
    "plot_written": ("plot: {path}", "图表: {path}"),
    # tierkit validate
    "days": ("days", "天"),
    "weeks": ("weeks", "周"),
    "day": ("day", "天"),
    "week": ("week", "周"),
    "v_head": ("{n} customers; fitted to {start}, holdout to {end} ({duration} {unit})",
               "{n} 位客户; 拟合至 {start}, 验证期至 {end} ({duration} {unit})"),
    "v_params": ("{model}: {params}; log-likelihood {ll}", "{model}: {params}; 对数似然 {ll}"),
    "v_totals": ("holdout purchases: predicted {predicted}, actual {actual} ({error}); per customer MAE {mae}, "
                 "RMSE {rmse}",
                 "验证期购买次数: 预测 {predicted}, 实际 {actual} ({error}); 每位客户 MAE {mae}, RMSE {rmse}"),
    "v_ranking": ("value ranking: Spearman {rho}; top decile by predicted value makes {capture} of holdout spend "
                  "(best possible {ideal})",
                  "价值排序: Spearman {rho}; 预测价值前 10% 的客户贡献验证期消费的 {capture} (最优可达 {ideal})"),
    "v_baseline": ("the model against a naive baseline on the same customers (baseline: each customer's past "
                   "repeat rate x the holdout length; value at the customer's own mean repeat spend):",
                   "模型与朴素基线在同一批客户上的对比 (基线: 每位客户过去的重复购买率 x 验证期长度; "
                   "价值按该客户自己的重复购买平均消费计算):"),
    "v_naive_baseline": ("naive baseline", "朴素基线"),
    "v_figure": ("figure", "指标"),
    "v_mae": ("MAE (purchases per customer)", "MAE (每位客户购买次数)"),
    "v_rmse": ("RMSE (purchases per customer)", "RMSE (每位客户购买次数)"),
    "v_aggregate_error": ("aggregate error (total purchases)", "总量误差 (总购买次数)"),
    "v_spearman": ("Spearman (predicted value, actual spend)", "Spearman (预测价值与实际消费)"),
    "v_top_decile": ("top-decile capture of holdout spend", "前 10% 客户的验证期消费占比"),
    "v_conditional": ("conditional expectations (mean holdout purchases by calibration repeat purchases):",
                      "条件期望 (按校准期重复购买次数分组的验证期平均购买次数):"),
    "v_fhl": ("FHL 2005 diagnostics ({models}), time in {unit}, tracking by week:",
              "FHL 2005 诊断 ({models}), 时间单位: {unit}, 按周跟踪:"),
    "v_not_fitted": ("{name}: not fitted: {message}", "{name}: 未能拟合: {message}"),
    "v_model": ("== {label}: {params}; log-likelihood {ll}, BIC {bic}",
                "== {label}: {params}; 对数似然 {ll}, BIC {bic}"),
    "v_unconditional": ("unconditional expectations E[X(t)] and P(X(t)=n), t in {unit} from the first purchase "
                        "(every 13th week):",
                        "无条件期望 E[X(t)] 与 P(X(t)=n), t 为自首次购买起的{unit}数 (每 13 周一行):"),
    "v_histogram": ("calibration histogram of repeat purchases (customers, actual vs expected):",
                    "校准期重复购买次数分布 (客户数, 实际与期望):"),
    "v_chi": ("chi-square {stat}, dof {dof}, p {p} (cells {cells})", "卡方 {stat}, 自由度 {dof}, p {p} (分组 {cells})"),
    "v_tracking": ("tracking of repeat purchases by week, actual vs model (every 4th week; --json has all):",
                   "按周跟踪重复购买, 实际与模型 (每 4 周一行; --json 含全部):"),
    "v_tracking_error": ("tracking error at the end of the holdout: {error} (cumulative {predicted} predicted, "
                         "{actual} actual)", "验证期末的跟踪误差: {error} (累计预测 {predicted}, 实际 {actual})"),
    "v_pearson": ("Pearson correlation of predicted and actual holdout purchases: {r}; MAE {mae}",
                  "验证期预测与实际购买次数的 Pearson 相关系数: {r}; MAE {mae}"),
    "v_p_alive": ("P(alive) matrix at age {age} (frequency x recency, a grid of cells; --json has all):",
                  "年龄 {age} 时的 P(alive) 矩阵 (频率 x 最近购买, 部分网格; --json 含全部):"),
    "v_fr_matrix": ("frequency-recency matrix: expected purchases in the next {unit} (a grid of cells):",
                    "频率-最近购买矩阵: 下一{unit}的期望购买次数 (部分网格):"),
    "v_comparison": ("model comparison on the same holdout:", "同一验证期上的模型比较:"),
    "rule_of_thumb": ("Jaccard < 0.6 dissolved (not trustworthy); 0.6-0.75 doubtful; > 0.75 stable; > 0.85 highly "
                      "stable", "Jaccard < 0.6 解体 (不可信); 0.6-0.75 存疑; > 0.75 稳定; > 0.85 高度稳定"),
    "dissolved": ("dissolved", "解体"),
    "doubtful": ("doubtful", "存疑"),
    "stable": ("stable", "稳定"),
    "highly stable": ("highly stable", "高度稳定"),
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
    # command-line summaries (numbers come preformatted)
    "summary_graded": ("{n} customers graded as of {as_of} -> {out}", "已为 {n} 位客户分级 (截至 {as_of}) -> {out}"),
    "summary_report": ("report on {n} customers as of {as_of} -> {out}", "{n} 位客户的报告 (截至 {as_of}) -> {out}"),
    "summary_read": ("{source}: {read} rows read, {kept} kept", "{source}: 读取 {read} 行, 保留 {kept} 行"),
    "summary_left_out": ("; left out: {reasons}", "; 排除: {reasons}"),
    "summary_rejects": ("rows left out written to {path}", "排除的行已写入 {path}"),
    "summary_saved_model": ("standards saved -> {path} (grade another period with --model {path})",
                            "标准已保存 -> {path} (用 --model {path} 为其他时期分级)"),
    "missing customer": ("missing customer", "缺少客户编号"),
    "bad customer": ("bad customer", "客户编号无效"),
    "missing order": ("missing order", "缺少订单编号"),
    "bad date": ("bad date", "日期无效"),
    "bad amount": ("bad amount", "金额无效"),
    "bad price": ("bad price", "单价无效"),
    "bad quantity": ("bad quantity", "数量无效"),
    "bad profit": ("bad profit", "利润无效"),
    "score_read": ("rows read:         {n}", "读取行数:     {n}"),
    "score_rejected": ("rows rejected:     {n}", "排除行数:     {n}"),
    "score_after": ("rows after as-of:  {n} (left out)", "截止日后行数: {n} (已排除)"),
    "score_scored": ("customers scored:  {n} -> {out}", "评分客户数:   {n} -> {out}"),
    "score_time": ("time:              {seconds} s ({engine} engine)", "用时:         {seconds} 秒 ({engine} 引擎)"),
    "score_rejects": ("rows left out:     written to {path}", "排除的行:     已写入 {path}"),
    # tierkit migrate
    "migration_title": ("{scheme}: old (rows) -> new (columns), customers and % of the old tier",
                        "{scheme}: 原等级 (行) -> 新等级 (列), 客户数及占原等级的百分比"),
    "old_new": ("old \\ new", "原 \\ 新"),
    "up": ("up", "升级"),
    "down": ("down", "降级"),
    "same": ("same", "不变"),
    "changed": ("changed", "变动"),
    "entered": ("entered", "新进入"),
    "left": ("left", "已离开"),
    "(entered)": ("(entered)", "(新进入)"),
    "(left)": ("(left)", "(已离开)"),
    "moved_up": ("moved up", "升级"),
    "moved_down": ("moved down", "降级"),
    "movers": ("{label} ({n}), first {shown}:", "{label} ({n} 位), 前 {shown} 位:"),
    "moves_written": ("{n} customers' moves -> {out}", "{n} 位客户的等级变动 -> {out}"),
    # grading alerts (tierkit.evaluation.alerts); numbers come preformatted
    "alerts": ("Before acting on these tiers", "使用这些分级之前请注意"),
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
    if key not in TERMS:  # a message of the catalogue of errors and warnings (the alerts): keyed, in lang
        return _messages.Message(key, **fmt).in_language(check_lang(lang))
    text = TERMS[key][1 if check_lang(lang) == "zh" else 0]
    return text.format(**fmt) if fmt else text


#: Column headers of tierkit's output tables (``segment``, ``score``, ``migrate`` and the Excel
#: summary sheets), ``column key -> (English, Chinese)``. The key is the column's stable name,
#: what programs (and ``tierkit migrate``) read; the two labels are what a person reads with
#: ``--headers labels``. No label is the key of another column, so a labelled header reads back
#: to exactly one key (:func:`header_keys`).
HEADERS = {
    "customer_id": ("Customer ID", "客户编号"),
    # features
    "recency": ("Recency (time since last purchase)", "最近购买间隔 (R)"),
    "frequency": ("Frequency (purchases)", "购买次数 (F)"),
    "monetary": ("Monetary (total spend)", "消费金额 (M)"),
    "tenure": ("Tenure (time since first purchase)", "客户时长"),
    "first_purchase": ("First purchase", "首次购买日期"),
    "last_purchase": ("Last purchase", "最近购买日期"),
    "frequency_btyd": ("Repeat purchases (BTYD x)", "重复购买次数 (BTYD x)"),
    "recency_btyd": ("First to last purchase (BTYD t_x)", "首末次购买间隔 (BTYD t_x)"),
    "T": ("Age (BTYD T)", "客户年龄 (BTYD T)"),
    "monetary_btyd": ("Mean repeat spend (BTYD m)", "重复购买平均金额 (BTYD m)"),
    "profit": ("Profit", "利润"),
    "holdout_purchases": ("Holdout purchases", "验证期购买次数"),
    "holdout_spend": ("Holdout spend", "验证期消费金额"),
    "holdout_duration": ("Holdout length", "验证期时长"),
    # satisfaction
    "cs_index": ("Satisfaction index (0-100)", "满意度指数 (0-100)"),
    "cs_score": ("Survey score", "问卷评分"),
    "nps_group": ("NPS group", "NPS分组"),
    "cs_imputed": ("Satisfaction imputed", "满意度为估算值"),
    # CLV
    "expected_purchases": ("Expected purchases", "预期购买次数"),
    "p_alive": ("P(alive)", "存活概率 P(alive)"),
    "expected_spend": ("Expected spend per purchase", "预期单次消费"),
    "clv": ("Predicted CLV", "预测客户终身价值 (CLV)"),
    "net_clv": ("Net CLV (after acquisition cost)", "净CLV (扣除获客成本)"),
    "expected_purchases_low": ("Expected purchases, lower bound (parameter uncertainty)",
                               "预期购买次数下限 (参数不确定性)"),
    "expected_purchases_high": ("Expected purchases, upper bound (parameter uncertainty)",
                                "预期购买次数上限 (参数不确定性)"),
    "clv_low": ("CLV, lower bound (parameter uncertainty)", "CLV下限 (参数不确定性)"),
    "clv_high": ("CLV, upper bound (parameter uncertainty)", "CLV上限 (参数不确定性)"),
    "purchases_predictive_low": ("Purchases in the horizon, predictive lower bound", "预测期内购买次数 预测区间下限"),
    "purchases_predictive_high": ("Purchases in the horizon, predictive upper bound", "预测期内购买次数 预测区间上限"),
    "clv_predictive_low": ("CLV, predictive lower bound", "CLV 预测区间下限"),
    "clv_predictive_high": ("CLV, predictive upper bound", "CLV 预测区间上限"),
    "net_clv_predictive_low": ("Net CLV, predictive lower bound", "净CLV 预测区间下限"),
    "net_clv_predictive_high": ("Net CLV, predictive upper bound", "净CLV 预测区间上限"),
    "clv_caveat": ("CLV caveat", "CLV 注意事项"),
    "net_clv_low": ("Net CLV, lower bound (parameter uncertainty)", "净CLV下限"),
    "net_clv_high": ("Net CLV, upper bound", "净CLV上限"),
    # RFM
    "r_score": ("R score", "R评分"),
    "f_score": ("F score", "F评分"),
    "m_score": ("M score", "M评分"),
    "rfm_cell": ("RFM cell", "RFM组合"),
    "rfm_score": ("RFM score", "RFM总分"),
    "r_high": ("R above average", "R高于均值"),
    "f_high": ("F above average", "F高于均值"),
    "m_high": ("M above average", "M高于均值"),
    "fm_score": ("FM score", "FM评分"),
    # tier keys, their labels and strategies
    "rfm_class": ("RFM class (key)", "RFM分类代码"),
    "rfm_class_label": ("RFM class", "RFM分类"),
    "rfm_class_strategy": ("RFM class strategy", "RFM分类策略"),
    "rfm_segment": ("RFM segment (key)", "RFM细分代码"),
    "rfm_segment_label": ("RFM segment", "RFM细分"),
    "rfm_segment_strategy": ("RFM segment strategy", "RFM细分策略"),
    "abc_tier": ("ABC tier (key)", "ABC等级代码"),
    "abc_tier_label": ("ABC tier", "ABC等级"),
    "abc_tier_strategy": ("ABC tier strategy", "ABC等级策略"),
    "lifecycle_stage": ("Lifecycle stage (key)", "生命周期阶段代码"),
    "lifecycle_stage_label": ("Lifecycle stage", "生命周期阶段"),
    "lifecycle_stage_strategy": ("Lifecycle stage strategy", "生命周期阶段策略"),
    "clv_cs_class": ("CLV-CS class (key)", "CLV-CS分类代码"),
    "clv_cs_class_label": ("CLV-CS class", "CLV-CS分类"),
    "clv_cs_class_strategy": ("CLV-CS class strategy", "CLV-CS分类策略"),
    "cs_level": ("Satisfaction level", "满意度等级"),
    "clv_level": ("CLV level", "CLV等级"),
    "value_potential": ("Value-potential quadrant (key)", "价值-潜力象限代码"),
    "value_potential_label": ("Value-potential quadrant", "价值-潜力象限"),
    "value_potential_strategy": ("Value-potential strategy", "价值-潜力象限策略"),
    "cluster": ("Cluster number", "聚类编号"),
    "cluster_name": ("Cluster (key)", "聚类代码"),
    "cluster_name_label": ("Cluster", "聚类名称"),
    "cluster_name_strategy": ("Cluster strategy", "聚类策略"),
    # migrate
    "old_tier": ("Old tier", "原等级"),
    "new_tier": ("New tier", "新等级"),
    "direction": ("Direction", "变动方向"),
    "next_tier": ("Next tier up", "上一等级"),
    "gap": ("Spend to the next tier", "升级所需消费"),
    "message": ("Message", "说明"),
    # Excel summary sheets
    "tier": ("Tier (key)", "等级代码"),
    "tier_label": ("Tier", "等级"),
    "customers": ("Customers", "客户数"),
    "customer_share": ("Share of customers", "客户占比"),
    "revenue": ("Revenue", "收入"),
    "revenue_share": ("Share of revenue", "收入占比"),
    "mean_recency": ("Mean recency", "平均最近购买间隔 (R)"),
    "mean_frequency": ("Mean frequency", "平均购买次数 (F)"),
    "mean_monetary": ("Mean monetary", "平均消费金额 (M)"),
    "strategy": ("Strategy", "策略"),
    # the k selection and cluster profile tables of `tierkit clusters`
    "inertia": ("Inertia", "簇内平方和"),
    "silhouette": ("Silhouette", "轮廓系数"),
    "calinski_harabasz": ("Calinski-Harabasz index", "Calinski-Harabasz 指数"),
    "davies_bouldin": ("Davies-Bouldin index", "Davies-Bouldin 指数"),
    "preferred_by": ("Preferred by", "偏好此k的指标"),
    "smallest_share": ("Smallest cluster's share", "最小聚类占比"),
    "separation": ("Closest clusters apart (SD)", "最接近聚类的间距 (标准差)"),
    "least_jaccard": ("Least stable cluster's Jaccard", "最不稳定聚类的 Jaccard"),
    "final_smallest_share": ("Smallest cluster's share, every customer", "全体客户中最小聚类占比"),
    "final_separation": ("Closest clusters apart (SD), every customer", "全体客户中最接近聚类的间距 (标准差)"),
    "action": ("Can be acted on", "可行动性"),
    "chosen": ("Chosen", "选定"),
    "label": ("Label", "名称"),
    "share": ("Share", "占比"),
    "recency_vs_population": ("Recency vs population", "R 相对总体"),
    "frequency_vs_population": ("Frequency vs population", "F 相对总体"),
    "monetary_vs_population": ("Monetary vs population", "M 相对总体"),
    "jaccard": ("Jaccard stability", "Jaccard 稳定性"),
    "stability": ("Stability verdict", "稳定性结论"),
}

#: The ``--headers`` choices: stable column keys, or labels in the chosen language.
HEADER_STYLES = ("keys", "labels")


def header_labels(columns, lang: str) -> dict:
    """Column key -> its header label in ``lang``, for the keys of ``columns`` that have one.

    Parameters
    ----------
    columns : iterable of str
        Column keys of an output table; keys without a label are left out (they keep their name).
    lang : {"en", "zh"}

    Returns
    -------
    dict
        For :meth:`pandas.DataFrame.rename`.

    Examples
    --------
    >>> header_labels(["customer_id", "abc_tier_label", "my_column"], "zh")
    {'customer_id': '客户编号', 'abc_tier_label': 'ABC等级'}
    """
    index = 1 if check_lang(lang) == "zh" else 0
    return {c: HEADERS[c][index] for c in columns if c in HEADERS}


def header_keys(columns) -> dict:
    """Header label (English or Chinese) -> column key, for the labelled headers among ``columns``.

    Parameters
    ----------
    columns : iterable of str
        The headers of a table written with ``--headers labels`` (keys pass through).

    Returns
    -------
    dict
        For :meth:`pandas.DataFrame.rename`; empty when every header is a key.

    Examples
    --------
    >>> header_keys(["客户编号", "ABC等级代码", "abc_tier_label"])
    {'客户编号': 'customer_id', 'ABC等级代码': 'abc_tier'}
    """
    lookup = {label: key for key, labels in HEADERS.items() for label in labels}
    return {c: lookup[c] for c in columns if isinstance(c, str) and c in lookup and c not in HEADERS}


#: The catalogue of errors and warnings (``key -> (English, Chinese)``) lives in :mod:`tierkit.messages`,
#: below the errors that render from it; it is named here too, beside the other words.
MESSAGES = _messages.MESSAGES
