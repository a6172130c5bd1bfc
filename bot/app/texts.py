"""Messages to residents in ja, en and ja-easy (HTML; callers escape dynamic values)."""
# ruff: noqa: E501

from __future__ import annotations

from typing import Any

from surveys.modes import Channel

LANGUAGES: tuple[str, ...] = ("ja", "en", "ja-easy")
LANGUAGE_NAMES: dict[str, str] = {"ja": "日本語", "en": "English", "ja-easy": "やさしい日本語"}

_JA: dict[str, str] = {
    "welcome": "こんにちは。日立市の「まちの声」です。\n市民のみなさまのご意見をアンケートでお聞きしています。",
    "choose_language": "使う言葉を選んでください。\nChoose your language.",
    "language_set": "言語を日本語にしました。",
    "consent": (
        "<b>アンケートへのご協力のお願い</b>\n\n"
        "・おたずねすること：年代・性別・お住まいの地区・居住年数と、アンケートへの回答です。\n"
        "・目的：日立市まち・ひと・しごと創生総合戦略の指標（住み続けたい市民の割合など）"
        "を測り、市の施策に役立てるためです。\n"
        "・保存期間：{retention}保存し、その後消去します。\n"
        "・回答はお名前と切り離し、仮名（番号）で分析します。"
        "{account}は回答と別に保管し、ご案内を送るためだけに使います。\n"
        "・{mydata}で保存内容を確認でき、{delete}でいつでもすべて消去できます。\n\n"
        "同意いただけますか。"
    ),
    "retention_days": "{days}日間",
    "retention_default": "戦略の計画期間中",
    "agree": "同意する",
    "decline": "同意しない",
    "declined": "承知しました。回答は保存していません（同意されなかったことだけを記録しました）。"
    "気が変わったら {start}でいつでも始められます。",
    "consent_needed": "アンケートには同意が必要です。{start}から始めてください。",
    "profile_intro": "はじめに、あなたについて{count}つだけおたずねします（一度だけです）。",
    "profile_done": "ありがとうございます。プロフィールを保存しました。",
    "profile_update": "プロフィールを更新します。",
    "progress": "{number}/{total}",
    "progress_range": "{number}/{fewest}〜{most}",
    "progress_open": "{number}問目",
    "back": "◀ 戻る",
    "next": "次へ ▶",
    "skip": "回答しない",
    "submit": "送信する",
    "change": "変更: {label}",
    "review": "<b>回答の確認</b>\n{items}\n\n直したい回答があれば下のボタンを押してください。よろしければ「送信する」を押してください。",
    "thanks": "ご回答ありがとうございました。いただいた声は市の施策に役立てます。",
    "already_answered": "「{title}」にはすでにご回答いただいています。ありがとうございました。",
    "no_open_wave": "いま回答できるアンケートはありません。",
    "next_wave": "次のアンケートは {date} ごろに始まる予定です。",
    "survey_intro": "<b>{title}</b>\n{description}",
    "type_answer": "（文字で入力してください）",
    "type_number": "（数字で入力してください）",
    "other_prompt": "「{label}」の内容を短く入力してください。",
    "choose_many": "（当てはまるものを選んで「次へ」を押してください）",
    "invalid_required": "この質問にはお答えください。",
    "invalid_not_a_number": "数字で入力してください。{range}",
    "invalid_out_of_range": "{range}",
    "range_both": "{minimum}から{maximum}までの数字でお願いします。",
    "range_min": "{minimum}以上の数字でお願いします。",
    "range_max": "{maximum}以下の数字でお願いします。",
    "invalid_too_long": "長すぎます（{given}文字）。{limit}文字以内でお願いします。",
    "invalid_too_few": "{minimum}つ以上選んでください。",
    "invalid_too_many": "{maximum}つまで選べます。",
    "invalid_unknown_choice": "ボタンから選んでください。",
    "invalid_empty": "空の回答は受け付けられません。文字を入力してください。",
    "tap_needed": "下のボタンから選んでください。",
    "choice_hint": "下のボタンを押すか、答えの番号（1〜{count}）を送ってください。",
    "text_needed": "文字で入力してください（スタンプや写真・音声は受け付けられません）。",
    "help": (
        "<b>まちの声の使い方</b>\n"
        "/start アンケートを始める・続ける\n"
        "/language 言語を変える\n"
        "/profile プロフィール（年代・地区など）を直す\n"
        "/mydata 保存されている内容を見る\n"
        "/delete 自分のデータをすべて消す\n"
        "/stop アンケートのご案内を止める\n"
        "/help この説明"
    ),
    "mydata_none": "あなたについて保存している情報はありません。",
    "mydata": (
        "<b>保存している内容</b>\n"
        "・同意：{consent}\n"
        "・言語：{language_name}\n"
        "・プロフィール：{profile}\n"
        "・ご案内の受け取り：{subscribed}\n"
        "・アンケートの回答：{responses}\n\n"
        "回答は{account}ではなく仮名（番号）にひもづけて保存しています。"
        "{delete}ですべて消去できます。"
    ),
    "consent_given": "同意済み（{date}）",
    "consent_declined": "同意しない（{date}）",
    "consent_none": "未回答",
    "profile_none": "未登録",
    "profile_field_age_band": "年代",
    "profile_field_sex": "性別",
    "profile_field_district": "地区",
    "profile_field_years_lived": "居住年数",
    "subscribed_yes": "受け取る",
    "subscribed_no": "停止中",
    "responses_none": "なし",
    "response_item": "<b>{title}</b>（{status}）",
    "responses_below": "{count}件（下に表示します）",
    "status_complete": "送信済み",
    "status_partial": "回答途中",
    "delete_confirm": "あなたについての情報（回答・プロフィール・連絡先）をすべて消去します。元に戻せません。よろしいですか。",
    "delete_yes": "すべて消去する",
    "delete_no": "やめる",
    "deleted": "すべて消去しました。ご協力ありがとうございました。",
    "delete_cancelled": "消去を取りやめました。",
    "stopped": "アンケートのご案内を停止しました。再開するには {start}を送ってください。",
    "unknown_command": "そのコマンドはありません。/help で使い方をご覧ください。",
    "error": "すみません、うまく処理できませんでした。もう一度お試しください。",
    "closed": "このアンケートは終了しました。ご協力ありがとうございました。",
    "cmd_start": "アンケートを始める・続ける",
    "cmd_help": "使い方",
    "cmd_language": "言語を変える",
    "cmd_profile": "プロフィールを直す",
    "cmd_mydata": "保存されている内容を見る",
    "cmd_delete": "自分のデータを消す",
    "cmd_stop": "ご案内を止める",
}

_EN: dict[str, str] = {
    "welcome": "Hello! This is Machikoe, the voice of Hitachi City.\nWe ask residents for their views in short surveys.",
    "choose_language": "使う言葉を選んでください。\nChoose your language.",
    "language_set": "Language set to English.",
    "consent": (
        "<b>Before we start</b>\n\n"
        "• What we ask: your age band, sex, district, years lived in Hitachi, and your survey answers.\n"
        "• Why: to measure the indicators of Hitachi City's regional revitalisation strategy "
        "(such as the share of residents who want to keep living here) and improve city policy.\n"
        "• How long: kept {retention}, then erased.\n"
        "• Your answers are analysed without your name, under a pseudonym. Your {account} is "
        "stored separately, only to send you invitations.\n"
        "• {mydata} shows what is stored; {delete} erases everything at any time.\n\n"
        "Do you agree?"
    ),
    "retention_days": "for {days} days",
    "retention_default": "for the strategy's planning period",
    "agree": "I agree",
    "decline": "I do not agree",
    "declined": "Understood. Nothing was stored except that you declined. "
    "Send {start} whenever you change your mind.",
    "consent_needed": "The survey needs your consent first. Please send {start}.",
    "profile_intro": "First, {count} short questions about you (asked only once).",
    "profile_done": "Thank you. Your profile is saved.",
    "profile_update": "Let's update your profile.",
    "progress": "{number}/{total}",
    "progress_range": "{number}/{fewest}–{most}",
    "progress_open": "Question {number}",
    "back": "◀ Back",
    "next": "Next ▶",
    "skip": "Skip",
    "submit": "Submit",
    "change": "Change: {label}",
    "review": "<b>Your answers</b>\n{items}\n\nTap a button below to change an answer, or Submit when everything is right.",
    "thanks": "Thank you for your answers! Your voice helps shape city policy.",
    "already_answered": "You have already answered “{title}”. Thank you!",
    "no_open_wave": "There is no survey to answer right now.",
    "next_wave": "The next survey is planned to start around {date}.",
    "survey_intro": "<b>{title}</b>\n{description}",
    "type_answer": "(please type your answer)",
    "type_number": "(please type a number)",
    "other_prompt": "Please briefly describe “{label}”.",
    "choose_many": "(choose all that apply, then tap Next)",
    "invalid_required": "Please answer this question.",
    "invalid_not_a_number": "Please type a number. {range}",
    "invalid_out_of_range": "{range}",
    "range_both": "Please give a number from {minimum} to {maximum}.",
    "range_min": "Please give a number of at least {minimum}.",
    "range_max": "Please give a number of at most {maximum}.",
    "invalid_too_long": "That is too long ({given} characters). Please keep it within {limit}.",
    "invalid_too_few": "Please choose at least {minimum}.",
    "invalid_too_many": "You can choose up to {maximum}.",
    "invalid_unknown_choice": "Please choose one of the buttons.",
    "invalid_empty": "An empty answer cannot be accepted. Please type some text.",
    "tap_needed": "Please choose with the buttons below.",
    "choice_hint": "Tap a button below, or type the number of your answer (1 to {count}).",
    "text_needed": "Please type your answer as text (stickers, photos and voice messages cannot be accepted).",
    "help": (
        "<b>How to use Machikoe</b>\n"
        "/start start or continue the survey\n"
        "/language change the language\n"
        "/profile update your profile (age band, district…)\n"
        "/mydata see what is stored about you\n"
        "/delete erase all your data\n"
        "/stop stop survey invitations\n"
        "/help this help"
    ),
    "mydata_none": "Nothing is stored about you.",
    "mydata": (
        "<b>What is stored</b>\n"
        "• Consent: {consent}\n"
        "• Language: {language_name}\n"
        "• Profile: {profile}\n"
        "• Invitations: {subscribed}\n"
        "• Survey answers: {responses}\n\n"
        "Answers are stored under a pseudonym, not your {account}. {delete} erases everything."
    ),
    "consent_given": "given ({date})",
    "consent_declined": "declined ({date})",
    "consent_none": "not answered",
    "profile_none": "not given",
    "profile_field_age_band": "Age",
    "profile_field_sex": "Sex",
    "profile_field_district": "District",
    "profile_field_years_lived": "Years in Hitachi",
    "subscribed_yes": "on",
    "subscribed_no": "stopped",
    "responses_none": "none",
    "response_item": "<b>{title}</b> ({status})",
    "responses_below": "{count} (shown below)",
    "status_complete": "submitted",
    "status_partial": "in progress",
    "delete_confirm": "This erases everything about you (answers, profile, contact). It cannot be undone. Continue?",
    "delete_yes": "Erase everything",
    "delete_no": "Cancel",
    "deleted": "Everything is erased. Thank you for taking part.",
    "delete_cancelled": "Nothing was erased.",
    "stopped": "Survey invitations are stopped. Send {start} to resume.",
    "unknown_command": "Unknown command. Send /help to see what I can do.",
    "error": "Sorry, something went wrong. Please try again.",
    "closed": "This survey has closed. Thank you.",
    "cmd_start": "Start or continue the survey",
    "cmd_help": "How to use",
    "cmd_language": "Change language",
    "cmd_profile": "Update your profile",
    "cmd_mydata": "See what is stored",
    "cmd_delete": "Erase your data",
    "cmd_stop": "Stop invitations",
}

_EASY: dict[str, str] = {
    **_JA,
    "welcome": "こんにちは。ひたちしの「まちの こえ」です。\nアンケートで みなさんの いけんを ききます。",
    "language_set": "やさしい にほんごに しました。",
    "consent": (
        "<b>アンケートの おねがい</b>\n\n"
        "・ききたい こと：としの はんい、せいべつ、すんでいる ちいき、すんでいる ねんすう、"
        "アンケートの こたえ です。\n"
        "・なぜ：ひたちしの まちづくりの もくひょう（ずっと すみたい ひとの わりあい など）を"
        "しらべて、しの しごとに つかいます。\n"
        "・いつまで：{retention} ほぞんして、そのあと けします。\n"
        "・なまえは つかいません。ばんごうで しらべます。\n"
        "・{mydata} で ほぞんした ことを みられます。{delete} で ぜんぶ けせます。\n\n"
        "いいですか。"
    ),
    "retention_days": "{days}にち",
    "retention_default": "けいかくの あいだ",
    "agree": "はい、いいです",
    "decline": "いいえ",
    "declined": "わかりました。こたえは ほぞんして いません。"
    "また やりたい ときは {start} を おくって ください。",
    "consent_needed": "さきに {start} から はじめて ください。",
    "profile_intro": "はじめに、あなたの ことを {count}つ ききます（1かい だけ です）。",
    "profile_done": "ありがとう ございます。ほぞん しました。",
    "profile_update": "あなたの ことを なおします。",
    "progress_open": "{number}もんめ",
    "back": "◀ もどる",
    "next": "つぎへ ▶",
    "skip": "こたえない",
    "submit": "おくる",
    "change": "なおす: {label}",
    "review": "<b>こたえの かくにん</b>\n{items}\n\nなおしたい ときは したの ボタンを おして ください。よければ「おくる」を おして ください。",
    "thanks": "こたえて くれて ありがとう ございました。",
    "already_answered": "「{title}」には もう こたえて います。ありがとう ございました。",
    "no_open_wave": "いまは こたえられる アンケートが ありません。",
    "next_wave": "つぎの アンケートは {date} ごろ はじまります。",
    "type_answer": "（もじで かいて ください）",
    "type_number": "（すうじで かいて ください）",
    "other_prompt": "「{label}」の ないようを みじかく かいて ください。",
    "choose_many": "（あてはまる ものを えらんで「つぎへ」を おして ください）",
    "invalid_required": "この しつもんに こたえて ください。",
    "invalid_not_a_number": "すうじで かいて ください。{range}",
    "range_both": "{minimum}から {maximum}までの すうじで おねがいします。",
    "range_min": "{minimum}より おおきい すうじで おねがいします。",
    "range_max": "{maximum}より ちいさい すうじで おねがいします。",
    "invalid_too_long": "ながすぎます（{given}もじ）。{limit}もじ までに して ください。",
    "invalid_too_few": "{minimum}つ いじょう えらんで ください。",
    "invalid_too_many": "{maximum}つ まで えらべます。",
    "invalid_unknown_choice": "ボタンから えらんで ください。",
    "invalid_empty": "なにか もじを かいて ください。",
    "tap_needed": "したの ボタンから えらんで ください。",
    "choice_hint": "したの ボタンを おすか、こたえの ばんごう（1〜{count}）を おくって ください。",
    "text_needed": "もじで かいて ください（スタンプや しゃしん、こえは だめです）。",
    "mydata_none": "あなたの ことは なにも ほぞん して いません。",
    "responses_below": "{count}つ（したに あります）",
    "profile_field_age_band": "とし",
    "profile_field_sex": "せいべつ",
    "profile_field_district": "すんでいる ところ",
    "profile_field_years_lived": "すんでいる ねんすう",
    "delete_confirm": "あなたの こたえ などを ぜんぶ けします。もとに もどせません。いいですか。",
    "delete_yes": "ぜんぶ けす",
    "delete_no": "やめる",
    "deleted": "ぜんぶ けしました。ありがとう ございました。",
    "delete_cancelled": "けしませんでした。",
    "stopped": "アンケートの おしらせを とめました。また はじめる ときは {start} を おくって ください。",
    "unknown_command": "その コマンドは ありません。/help を みて ください。",
    "error": "ごめんなさい。うまく できませんでした。もう いちど やって ください。",
    "closed": "この アンケートは おわりました。ありがとう ございました。",
}

CATALOG: dict[str, dict[str, str]] = {"ja": _JA, "en": _EN, "ja-easy": _EASY}


def language_or_default(language: str | None) -> str:
    """A supported language: the given one, else Japanese."""
    return language if language in CATALOG else "ja"


def language_from_telegram(code: str | None) -> str:
    """The language to greet a new resident in, from Telegram's language_code."""
    return "en" if code and not code.startswith("ja") else "ja"


LINE_MENU: dict[str, str] = {
    "start": "回答する",
    "mydata": "マイデータ",
    "delete": "削除",
    "stop": "配信停止",
}
"""The LINE rich menu's items (also the keywords residents type), by the command each gives."""
_LINE_COMMANDS = {name: f"「{LINE_MENU[name]}」" for name in ("start", "mydata", "delete")}

CHANNEL_WORDS: dict[Channel, dict[str, dict[str, str]]] = {
    Channel.TELEGRAM: {
        "ja": {
            "account": "TelegramのID",
            "start": "/start",
            "mydata": "/mydata",
            "delete": "/delete",
        },
        "en": {
            "account": "Telegram id",
            "start": "/start",
            "mydata": "/mydata",
            "delete": "/delete",
        },
        "ja-easy": {
            "account": "TelegramのID",
            "start": "/start",
            "mydata": "/mydata",
            "delete": "/delete",
        },
    },
    Channel.LINE: {
        "ja": {"account": "LINEのユーザーID", **_LINE_COMMANDS},
        "en": {
            "account": "LINE user id",
            "start": "“answer”",
            "mydata": "“my data”",
            "delete": "“delete”",
        },
        "ja-easy": {"account": "LINEの ID", **_LINE_COMMANDS},
    },
}
"""How each channel names the resident's account and the start / my data / delete commands
(Telegram's slash commands; LINE's rich menu items, which residents can also type)."""


def t(language: str | None, key: str, channel: Channel = Channel.TELEGRAM, /, **values: Any) -> str:
    """The message `key` in `language` (falling back to Japanese) in `channel`'s words, with
    values filled in."""
    language = language_or_default(language)
    template = CATALOG[language].get(key) or _JA[key]
    return template.format(**CHANNEL_WORDS[channel][language], **values)
