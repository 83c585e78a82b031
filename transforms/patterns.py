"""Every text pattern the cleaning and metadata stages use, declared in one place.

Patterns are Rust-regex compatible (Polars) unless noted "Python re". Keep them here, not in
the functions that use them, so that a reviewer can read what the product recognises.
"""

from __future__ import annotations

# ---------------------------------------------------------------- site chrome and page furniture
# Whole lines a government website wraps around a report. Matched against a stripped line.
CHROME_LINE_PATTERNS: tuple[str, ...] = (
    r"^欢迎访问.{0,40}$",
    r"^.{0,20}无障碍(浏览|阅读).{0,40}$",
    r"^.{0,10}(长者模式|智能问答|简体\s*\|\s*繁体).{0,40}$",
    r"^【[^】]{0,12}(打印|关闭|下载|收藏|字号|文字大小|大中小)[^】]{0,12}】.{0,60}$",
    r"^【文字大小.{0,30}$",
    r"^.{0,4}扫一扫.{0,30}$",
    r"^.{0,6}(发布时间|发布日期)[:：].{0,40}(点击次数|浏览次数|来源).{0,20}$",
    r"^(索\s*引\s*号|公开目录|成文日期|发布日期|发布机构|发文机关|主题分类|有\s*效\s*性|文\s*号)[:：].{0,80}$",
    r"^(分享到|打印本页|关闭窗口|返回顶部|上一篇|下一篇|附件下载)[:：]?.{0,40}$",
    r"^(当前位置|您的位置|首页\s*>).{0,80}$",
    # Markdown header blocks of a page's metadata table (| 标题: | … |) and their separator rows.
    r"^\|\s*(标\s*题|索\s*引\s*号|发文日期|发布日期|发布机构|文\s*号|主题分类|成文日期)\s*[:：].*$",
    r"^\|(\s*:?-{3,}:?\s*\|)+\s*$",
    # A catalogue page's header table as a crawl prints it (索引号 | … | 组配分类 | … |).
    r"^\|?[ \t]*(索[ \t]*引[ \t]*号|发布机构|发文日期|发布文号|信息来源|信息名称|组配分类|主题分类|成文日期|发布日期|"
    r"有[ \t]*效[ \t]*性|文[ \t]*号)[ \t]*\|.*$",
)

# Characters that only navigation trees and menus use (folder icons, boxes, bullets).
NAV_ICON_CHARS = "□■◆▪🗅📁📂⊕⊖🧧Ì"
# A block of lines counts as navigation when at least this share of its lines carry icons.
NAV_BLOCK_SHARE = 0.5
# A pasted site listing: a header of column names, then rows ending in a date.
SITE_LISTING_HEADER = r"^名称\s+(发文机构|发布机构)\s+(发布日期|成文日期)$"
SITE_LISTING_ROW = r"^.{2,80}\s+\d{4}-\d{2}-\d{2}$|^\s*-?\d{1,2}\s*$"

# Page numbers and footers of PDFs and printed pages.
PAGE_FURNITURE_PATTERNS: tuple[str, ...] = (
    r"^[—–\-－]\s*\d{1,3}\s*\**\s*[—–\-－]\**$",
    r"^第\s*\d{1,3}\s*页\s*[,，]?\s*共\s*\d{1,3}\s*页$",
    r"^\d{1,3}\s*/\s*\d{1,3}$",
)

# Pinyin glosses after characters: 區(qū). Python re (needs the Han class before the bracket).
PINYIN_SYLLABLE = r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüɑńňǹḿ]{1,6}"
PINYIN_GLOSS = r"([\u4e00-\u9fff])[(（](" + PINYIN_SYLLABLE + r")[)）]"

# HTML residue that some sites leave in the text of a page.
HTML_RESIDUE = r"[<?]/?(?:span|font|p|div|strong|b|i|br)\b[^>\n]{0,60}>"

# ---------------------------------------------------------------- encoding damage
# Characters that GBK-decoded UTF-8 produces and Chinese government prose never uses.
MOJIBAKE_CHARS = "ǘ┩晟屏烁ǎ╂鍙锛涓嬩綔瀹氫簬鐨勬槸浜嗘湁鍦ㄤ腑"
# A stray replacement mark or lost-byte `?` glued to CJK text.
GARBLED_SPAN = r"[?？�][\u3000-\u303f\uff08-\uff0f\u01ce-\u01dc\u2500-\u257f]{1,3}|\uFFFD+"

# Symbols that GBK-read UTF-8 yields and report prose does not use (a regex class body): Latin with
# pinyin marks, Greek, Cyrillic, kana, box drawing, private use, the replacement character.
MOJIBAKE_SYMBOL_RANGES = r"\u0100-\u024f\u0391-\u03c9\u0401-\u0451\u3041-\u30ff\u2500-\u257f\ue000-\uf8ff\ufffd"
# A span is mojibake when this many suspect characters stand with at most MAX_GAP others between.
MOJIBAKE_MIN_SUSPECTS = 4
MOJIBAKE_MAX_GAP = 1
# Characters on each side of a span tried along with it when repairing (its edges may be common).
MOJIBAKE_EDGE_SLACK = 2
# A repair is accepted when the result has this many ideographs, mostly common ones.
MOJIBAKE_MIN_REPAIRED_HAN = 2
MOJIBAKE_MIN_COMMON_SHARE = 0.7

# ---------------------------------------------------------------- figures
# A figure with thousands separators: every group after the first has three digits, and no digit
# or comma stands on either side (120,135,98 is a list, not a number).
THOUSANDS_NUMBER = r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])"
THOUSANDS_SUSPECT = r"\d,\d{3}"

# ---------------------------------------------------------------- injected spam
# Declared phrases of gambling and betting sites found injected into government pages.
SPAM_PHRASES: tuple[str, ...] = (
    "开云",
    "开云体育",
    "亚博体育",
    "乐鱼体育",
    "华体会",
    "米乐",
    "半岛体育",
    "必威",
    "威尼斯人",
    "澳门新葡京",
    "葡京",
    "金沙娱乐",
    "太阳城",
    "bet365",
    "百家乐",
    "真人视讯",
    "博彩",
    "投注",
    "赌场",
)
# A generic pattern for "X官网入口/(中国)官方网站/体育平台/娱乐城" strings that are not government text.
SPAM_PATTERN = (
    r"[\u4e00-\u9fffA-Za-z0-9]{0,8}(?:手机|APP|app)?(?:官网入口|官方入口)[·・\s]*(?:[(（]中国[)）])?"
    r"(?:官方网站|官网)?(?:站点)?"
    r"|[\u4e00-\u9fffA-Za-z0-9]{0,8}[·・][(（]中国[)）](?:官方网站|官网)"
    r"|[\u4e00-\u9fff]{2,6}(?:体育|娱乐)(?:官网|官方网站|平台|app|APP|入口|城)"
)
SPAM_MASK = "〔已屏蔽〕"
# Where a generic spam string (one not starting with a declared phrase) may begin: after one of
# these characters or at a line's start. A site name's own prefix is unknown, so without an edge
# the match would start as far left as it may and eat the real words before it (督查室关于印发).
SPAM_EDGE = r"[《〈(（\[【\s、,，。;；:：！？“\"'‘>]"
# The part of a generic site string that is spam whatever precedes it: masked where no edge
# precedes the string (印发星空手机官网入口… → 印发星空〔已屏蔽〕), so the real words before it stay.
SPAM_CORE = (
    r"(?:手机|APP|app)?(?:官网入口|官方入口)[·・\s]*(?:[(（]中国[)）])?(?:官方网站|官网)?(?:站点)?"
    r"|[·・][(（]中国[)）](?:官方网站|官网)"
)
# Search-engine spam hacked into a page's footer: lines of adult-video titles, then a run of place
# names each closed by a pipe (`观塘区| 和田县| 华宁县| …`). A title line is masked from its start
# to the next full stop or line end around one of these words; a run of four or more piped names
# is masked whole (a table's cells have a space before their pipes).
SPAM_SEO_WORDS: tuple[str, ...] = (
    *("作爱", "一区二区三区", "丝袜", "少妇", "熟女", "乱伦", "jizz", "亚洲va", "天堂va", "黄片", "人妻"),
    *("一级黄", "精品国产", "国产精品免费", "久久精品", "久久久", "成人视频", "成年男女", "亚洲男人"),
)
SPAM_SEO_RUN = r"[^\n。]{0,60}?(?:" + "|".join(SPAM_SEO_WORDS) + r")[^\n。|]{0,80}"
SPAM_PLACE_LIST = r"(?:[\u4e00-\u9fff]{2,8}\|[ \t]?){4,}"
# Pages worth scanning for a list of places: a name closed by a pipe with another after it.
SPAM_SEO_SUSPECT = r"[\u4e00-\u9fff]\|[ \t]?[\u4e00-\u9fff]"
# A masked span standing in a name's place: before an organ's word (〔已屏蔽〕办公室关于…) or after
# the words that introduce one (《〔已屏蔽〕…, 印发〔已屏蔽〕…). Injected spam replaces the
# agency's or the place's name there, so the name is lost from the text.
SPAM_NAME_SLOT = (
    r"〔已屏蔽〕(?:督查室|办公室|办|人民政府|政府|委员会|委|厅|局|关于|印发)"
    r"|(?:《|印发|关于|转发)〔已屏蔽〕"
)

# ---------------------------------------------------------------- script
# Characters that exist only in Traditional Chinese; their share decides original_script.
TRADITIONAL_ONLY_CHARS = (
    "區發佈開會國對時實與關經體報這們個為說從來後過還進當點動務機題業專頭問應權條數據開員義"
    "產總長現處設團單議辦標優網絡證據資質讀書萬無際調農環質權術項廣續規請應辦際證歷"
)
TRADITIONAL_SHARE = 0.02

# ---------------------------------------------------------------- document type and template
ANNUAL_REPORT_TITLE = r"(政府信息公开|政务公开|信息公开)[^。\n]{0,12}(工作)?(年度报告|年报|工作报告)"
WORK_PLAN_TITLE = r"(工作要点|工作计划|工作方案|实施方案|工作安排|任务分工)"
NOTICE_TITLE = r"(关于印发|的通知|的通告|的公告)"
# Correspondence and notices that are neither a report nor a plan, even when about a plan's points
# (关于2014年政府信息公开工作要点落实情况的函): a letter, a reply, a notice that issues nothing.
CORRESPONDENCE_TITLE = r"(?:的函|的复函|的请示|的批复)$|^(?!.*(?:印发|转发)).*的通知$"
# Guidance about reports, which names one without being one: the format itself (关于印发《…年度报告
# 格式》的通知), answers on filling it in (…有关项目填报问题的解释), model texts (…年度报告范文).
REPORT_GUIDANCE_TITLE = r"年度报告(?:格式|模板|范文|样本|参考样本)|填报[^。\n]{0,8}的解释$|的解释$|范文$"
# Legal texts (the Regulations themselves, a province's 办法) describe what reports contain; their
# title names the instrument, and their body is numbered articles.
LEGAL_TEXT_TITLE = r"(?:条例|办法|规定|细则|实施意见)(?:[(（][^)）]{0,12}[)）])?$"
LEGAL_ARTICLE = r"(?m)^\s*第[一二三四五六七八九十百]+条"
LEGAL_ARTICLES_MIN = 5
# A line that is a document's title: cleaning never joins it to a paragraph, metadata reads it.
TITLE_LINE = f"{ANNUAL_REPORT_TITLE}|{WORK_PLAN_TITLE}|{NOTICE_TITLE}"
# Structural cues of an annual report in the body.
ANNUAL_REPORT_BODY = r"本(年度)?报告|年度报告|本报告中所列数据|统计期限|统计时限|统计期间"
FORMAT_2021_CITATION = r"〔2021〕30号|\[2021\]30号|国办公开办函〔2021〕30"
FORMAT_2019_CITATION = r"〔2019〕60号|\[2019\]60号|国办公开办函〔2019〕60"
TABLE_2021_CUES = r"本年制发件数|逾期不补正|现行有效件数"
TABLE_2019_CUES = r"本年新制作数量|对外公开总数量|上一年项目数量"

# ---------------------------------------------------------------- metadata
# The page's title field: `标题：…`, or a catalogue page's piped `信息名称 | … |`.
TITLE_FIELD = r"(?m)^\|?\s*(?:标\s*题|信息名称|文件名称)\s*(?:[:：]\s*\|?|\|)\s*([^|\n]{6,80})"
# A title wrapped over two lines (`2025 年上海市人民政府办公厅政府信息公开` / `工作年度报告`): the first
# line ends where the second begins.
TITLE_WRAPPED_HEAD = r"(?:政府信息公开|政务公开|信息公开)(?:工作)?$"
TITLE_WRAPPED_TAIL = r"^(?:工作)?(?:年度报告|年报)$"
TITLE_YEAR = r"((?:19|20)\d{2})\s*年(?:度)?[^\n]{0,20}(?:报告|年报|工作要点|计划|方案)"
PUBLISHER_FIELD = r"(?:发布机构|发文机关|发文单位|发布单位)\s*[:：]?\s*\|?\s*([\u4e00-\u9fff()（）]{3,40})"
# A bare 时间/日期 counts only as a field of its own (`来源：… 时间：2017-01-12`), not inside words
# such as 统计时间.
PUBLISH_DATE_FIELD = (
    r"(?:发布日期|发文日期|成文日期|发布时间|(?:^|(?<=[\s|]))(?:时间|日期)(?=\s*[:：]))\s*[:：]?\s*\|?\s*"
    r"((?:19|20)\d{2})[-年/.](\d{1,2})[-月/.](\d{1,2})"
)
# Period: 自2019年1月1日起至2019年12月31日止 / 从2023年1月1日到12月31日止
STATS_PERIOD = (
    r"(?:统计期限|统计时限|统计期间|统计时间|数据统计期限)[^。\n]{0,12}?((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日"
    r"[^0-9。\n]{0,6}?(?:((?:19|20)\d{2})年)?(\d{1,2})月(\d{1,2})日"
)
# Chinese-numeral dates in a signature: 二〇二〇年一月 / 二〇一八年三月二十八日
CN_DIGITS = "〇零一二三四五六七八九"
CN_DATE = r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月(?:([一二三四五六七八九十]{1,3})日)?"
ARABIC_DATE = r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?"
# A signature line: an organisation name and/or a date alone on a short line.
SIGNATURE_MAX_CHARS = 40
# A short dated line that states a span (统计期限：2024年1月1日至…) is no signature: its date is
# not the publication's.
NOT_A_SIGNATURE = r"统计|期限|期间|时限|至|截至|截止|起|—|～|~"
AGENCY_SUFFIXES = (
    r"(人民政府办公室|人民政府办公厅|人民政府|政府办公室|管理委员会办公室|管理委员会|管委会|办公室|办公厅|"
    r"委员会|局|厅|委|办|院|署|中心|街道办事处|街道|镇人民政府|乡人民政府|镇|乡|党政办公室)"
)

# ---------------------------------------------------------------- sections
# Heading numbering, per level. Python re, matched at the start of a stripped line.
HEADING_NUMBERING: tuple[tuple[int, str], ...] = (
    (1, r"^(?:第([一二三四五六七八九十]+)部分|([一二三四五六七八九十]+)\s*[、.．])\s*"),
    (2, r"^[(（]\s*([一二三四五六七八九十]+)\s*[)）]\s*[、.．]?\s*"),
    (3, r"^(\d{1,2})\s*[.、．](?!\d)\s*"),
    (4, r"^[(（]\s*(\d{1,2})\s*[)）]\s*"),
)
# The characters a numbering above can begin with: a cheap first test before the patterns.
HEADING_FIRST_CHARS = r"第一二三四五六七八九十(（\d"
HEADING_MAX_CHARS = 40
RUN_IN_HEADING_MAX_CHARS = 24

# Canonical topics, first match wins (order matters: 复议 before 申请, 主动公开 before 平台).
TOPIC_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("review_litigation", r"复议|诉讼"),
    ("fees", r"收费|减免|信息处理费"),
    ("requests", r"依申请|收到和处理|申请.{0,4}(办理|情况)|申请公开"),
    ("proposals", r"建议|提案"),
    ("key_areas", r"重点领域|重点工作"),
    ("interpretation", r"解读|回应|关切|互动"),
    ("confidentiality", r"保密"),
    ("problems", r"问题|改进|整改|不足"),
    ("other_matters", r"其他需要|需要说明|其他事项|其他需要报告"),
    ("organization", r"组织|领导|制度建设|机构|队伍"),
    ("proactive", r"主动公开"),
    ("platform", r"平台|网站|新媒体|专区"),
    ("overview", r"总体情况|概述|概况|总体"),
)

# ---------------------------------------------------------------- years
# A forward-looking statement: its year, then within a clause a plan word. Python re.
PLAN_STATEMENT = (
    r"((?:19|20)\d{2})\s*年(?!底|末|前|以来|度以来)[^。；;《》〔〕\n]{0,20}?"
    # 将 as "will", not 将 taking an object (将其/将信息…纳入); place names (将乐县) are told apart
    # with the gazetteer where plans are extracted.
    r"(将(?!其|该|此|政|重|信|各|有关|相关)|计划(?!生育|单列)|拟(?!定|任|公开)|下一步|明年|下一年度)"
)
# Spans inside which a year is a name, not a plan date: 《文件名》, 〔2019〕60号.
QUOTED_SPANS = r"《[^》\n]{0,80}》|〔\d{4}〕\d+号|\[\d{4}\]\d+号"

# ---------------------------------------------------------------- statements the rules judge
# 共N件,其中a件、b件: a total and its parts (same unit) in one sentence.
STATEMENT_UNITS = r"件|条|篇|次|个|项|封|起|人次|名|家|期|场"
TOTAL_WITH_PARTS = (
    r"(?:共计|共|合计|总计|累计)[^。;；\d\n]{0,12}?(?P<total>\d+(?:\.\d+)?)(?P<q>余|多)?(?P<unit>"
    + STATEMENT_UNITS
    + r")[^。;；\n]{0,40}?其中[,，:：]?(?P<parts>[^。;；\n]{1,200})"
)
# A bracket inside a list of parts breaks the part before it down further (预决算公开197条（政府
# 预决算32条、部门预决算165条）): its figures are not parts of the total.
NESTED_BREAKDOWN = r"[（(][^（()）]*[）)]"
# N件,占X%: a share with the figure it is a share of.
PERCENT_SHARE = (
    r"(?P<n>\d+(?:\.\d+)?)(?P<unit>" + STATEMENT_UNITS + r")[)）]?[,，]?\s*占(?:总数的|比|全部的|总量的)?"
    r"(?P<pct>\d+(?:\.\d+)?)\s*[%％]"
)
# The base a share is taken of: a figure introduced as a total or an intake.
PERCENT_BASE = (
    r"(?:提出|共|收到|受理|总数|合计|办理|总计|新收)[^。,，;；\n]{0,10}?(?P<n>\d+(?:\.\d+)?)(?P<unit>"
    + STATEMENT_UNITS
    + r")"
)
# A dated statement: 2024年3月(5日).
DATED = r"(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?"
# Words that make a dated sentence a plan, a deadline or the statistics period rather than something
# done (the period has rules of its own).
NOT_DONE_WORDS = (
    r"将|计划|拟|下一步|明年|预计|力争|争取|前完成|底前|以前|之前|要求|安排|统计期限|统计时限|统计期间|统计时间"
)
# Sentence-opening years (2019年,…): what year the body speaks of. Searched in the text with a
# newline in front, so that the text's start is a line start too (one pattern for both, no `^`).
BODY_YEAR = r"[。\n]\s*((?:19|20)\d{2})\s*年(?:度|以来)?\s*[,，][^。\n]{0,12}"
# A sentence-opening year followed by these words opens a plan (2024年，我们将…): not the year reported on.
BODY_YEAR_PLAN = r"将|拟|计划|下一步|争取|力争"
# Figures of scope wider than the reporting body: 全区/全县… figures are not the office's own.
WIDER_SCOPE = r"全区|全县|全市|全省|全镇|全乡|全旗|各部门|各单位|各乡镇|各街道|全系统"

# ---------------------------------------------------------------- the issuer and its deadline
# Rust regex. The issuer a title names before its year (`XX区人民政府2023年…`, `平潭综合实验区2022年度…`).
TITLE_ISSUER = r"^\s*(\S.*?)\s*(?:19|20)\d{2}\s*年"
# A local people's government's own report (31 March deadline): the issuer is the government itself,
# or only a place. Any other body (a department, a bureau, an office reporting for itself) has until
# 31 January.
GOVERNMENT_ISSUER = r"(?:人民政府|[省市区县旗盟州]政府)$"
PLACE_ONLY_ISSUER = r"^[\p{Han}]{1,24}(?:省|自治区|市|地区|自治州|州|盟|区|县|自治县|旗|实验区|新区|开发区|示范区)$"

# ---------------------------------------------------------------- flattened pages
# A crawl that flattens a page body to one line leaves every heading and table row run together
# (`…情况 一、总体情况 2022年，…（七）总计723000075四、结转下年度…`). A line this long holding at
# least two chapter numberings is such a page; its breaks are put back before each numbering.
FLATTENED_LINE_MIN_CHARS = 600
# Python re, as the two below.
FLATTENED_CHAPTER = r"(?:^|[。；\s\d])[一二三四五六七八九十]{1,2}、[\u4e00-\u9fff\d]"
# A numbering that opens a heading or a table row, after a sentence end, a space, a
# closing quote or bracket, or a table row's last digit (`…00000002.其他法律…`: item numbers of
# the standard tables are single digits, so the digit right before `.` is the item's own).
FLATTENED_BREAK = (
    r"(?<=[。；！？!?\s\d”])[ ]*"
    r"(?=[一二三四五六七八九十]{1,2}、(?:[\u4e00-\u9fff]|(?:19|20)\d{2}年)"
    r"|(?:[（(][一二三四五六七八九十]{1,2}[)）]|[（(]\d{1,2}[)）]|[1-9][.．、])[\u4e00-\u9fff])"
)
# A sub-heading numbering right after a word (`…改进情况（一）存在的主要问题`), unless it is a
# clause reference (`第二十条第（一）项`).
FLATTENED_SUBHEADING_BREAK = (
    r"(?<=[\u4e00-\u9fff])(?<![第条款项])(?=[（(][一二三四五六七八九十]{1,2}[)）][\u4e00-\u9fff])"
)
# Table 3's rows numbered like chapters (一、本年新收…) may follow a header word directly
# (`…其他一、本年新收…`); besides the catalogue's words for those rows, this heading row:
FLATTENED_T3_HEADING_ROWS: tuple[str, ...] = ("本年度办理结果",)
# The signature after a flattened page's last sentence (`…开展。 平潭综合实验区管委会办公室 2014年12月10日`)
# and the page's trailing links (`附件下载`) go to lines of their own.
FLATTENED_SIGNATURE_BREAK = (
    r"(?<=。)[ ]+(?=[\u4e00-\u9fff（）()]{4,30}[ ]*"
    r"(?:(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|[〇○零一二三四五六七八九]{4}年))"
    r"|[ ]+(?=(?:附件下载|打印本页|关闭窗口)[^。]{0,20}$)"
)
# A short heading followed by a space and its paragraph on the same line (`一、总体情况 2022年，…`):
# the paragraph goes to a line of its own. Not a table row's values (`（一）予以公开 210000021`).
FLATTENED_RUN_IN_HEADING = (
    r"^((?:[一二三四五六七八九十]{1,2}、|[（(][一二三四五六七八九十]{1,2}[)）])[^\s。，,；;：:（(\d]{2,24})[ ]+"
    r"(?=[^\d\s]|\d{4}年)"
)
