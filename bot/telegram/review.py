"""Analysts' review of comments: /review (confirm or correct unsure goals) and /comments."""

from __future__ import annotations

import contextlib
import logging
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from analysis.report.goals import goal_name
from analysis.taxonomy import GOAL_IDS, OTHER, bundled_taxonomy
from bot.app import callbacks as cb
from bot.app.callbacks import ReviewAction
from bot.app.services import Services
from bot.telegram.roles import require_role, services_of
from storage.records import CommentRecord, ReviewedComment
from surveys.roles import Role

PAGE_SIZE = 5
SHOWN_CHARS = 2800
"""With the guide (about 500 characters) the message stays under Telegram's 4,096."""
LISTED_CHARS = 300
GOAL_ARGUMENTS = {"1": "1", "2": "2", "3": "3", "4": "4", "other": OTHER, "その他": OTHER}

log = logging.getLogger(__name__)

SKIPPED = "review_skipped"


# -- goals and their names -------------------------------------------------------------------


def goals_text(goals: tuple[str, ...]) -> str:
    """Several goals joined for reading."""
    return "・".join(goal_name(g, short=True) for g in goals) if goals else "未分類"


def goals_to_mask(goals: tuple[str, ...]) -> int:
    """Goals 1-4 as a bit mask (0 means その他)."""
    return sum(1 << GOAL_IDS.index(g) for g in goals if g in GOAL_IDS)


def mask_to_goals(mask: int) -> tuple[str, ...]:
    """The goals of a bit mask; 0 is その他."""
    goals = tuple(g for i, g in enumerate(GOAL_IDS) if mask & (1 << i))
    return goals or (OTHER,)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- /review ---------------------------------------------------------------------------------


def guide_text() -> str:
    """The labelling guide's short form: one line per goal, then the hard cases."""
    guide = bundled_taxonomy().guide
    lines = ["<b>分類の目安</b>"]
    lines += [
        f"{escape(goal_name(label, short=True))}: {escape(line)}"
        for label, line in guide.labels.items()
    ]
    lines += [f"・{escape(case)}" for case in guide.hard_cases]
    return "\n".join(lines)


def review_text(comment: CommentRecord, waiting: int, services: Services) -> str:
    """One unsure comment, the classifier's guess, the question and the labelling guide."""
    day = comment.created_at.astimezone(services.timezone).strftime("%Y-%m-%d")
    confidence = "—" if comment.confidence is None else f"{comment.confidence:.2f}"
    language = escape(comment.language or "不明")
    return (
        f"<b>確認待ちの意見</b>（残り {waiting} 件）\n"
        f"#{comment.id}・{day}・言語 {language}\n\n"
        f"{escape(_clip(comment.masked_text, SHOWN_CHARS))}\n\n"
        f"推定: {escape(goals_text(comment.goals))}（確信度 {confidence}）\n"
        "どの目標についての意見ですか。\n\n"
        f"{guide_text()}"
    )


def single_keyboard(comment: CommentRecord) -> InlineKeyboardMarkup:
    """One tap labels the comment; 複数選択 switches to toggles."""
    cid = comment.id
    rows: list[list[InlineKeyboardButton]] = []
    if comment.goals:
        guess = goals_to_mask(comment.goals)
        rows.append(
            [
                InlineKeyboardButton(
                    "✓ 推定どおり", callback_data=cb.review_data(cid, ReviewAction.LABEL, guess)
                )
            ]
        )
    buttons = [
        InlineKeyboardButton(
            goal_name(g, short=True), callback_data=cb.review_data(cid, ReviewAction.LABEL, 1 << i)
        )
        for i, g in enumerate(GOAL_IDS)
    ]
    rows += [buttons[0:2], buttons[2:4]]
    start = goals_to_mask(comment.goals)
    rows.append(
        [
            InlineKeyboardButton("その他", callback_data=cb.review_data(cid, ReviewAction.LABEL)),
            InlineKeyboardButton(
                "複数選択", callback_data=cb.review_data(cid, ReviewAction.TOGGLE, start)
            ),
            InlineKeyboardButton("スキップ", callback_data=cb.review_data(cid, ReviewAction.SKIP)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def multi_keyboard(comment_id: int, mask: int) -> InlineKeyboardMarkup:
    """Toggle goals 1-4, then 確定."""
    buttons = [
        InlineKeyboardButton(
            ("☑ " if mask & (1 << i) else "☐ ") + goal_name(g, short=True),
            callback_data=cb.review_data(comment_id, ReviewAction.TOGGLE, mask ^ (1 << i)),
        )
        for i, g in enumerate(GOAL_IDS)
    ]
    confirm = "確定" if mask else "確定（その他）"
    return InlineKeyboardMarkup(
        [
            buttons[0:2],
            buttons[2:4],
            [
                InlineKeyboardButton(
                    confirm, callback_data=cb.review_data(comment_id, ReviewAction.LABEL, mask)
                ),
                InlineKeyboardButton(
                    "◀ 戻る", callback_data=cb.review_data(comment_id, ReviewAction.BACK)
                ),
            ],
        ]
    )


async def next_for_review(
    services: Services, skipped: set[int]
) -> tuple[CommentRecord | None, int]:
    """The most unsure comment not skipped in this pass, and how many wait in total."""
    async with services.uow() as uow:
        queue = await uow.comments.needs_review(limit=len(skipped) + 1)
        waiting = await uow.comments.review_queue_size()
    comment = next((c for c in queue if c.id not in skipped), None)
    return comment, waiting


def _skipped(context: ContextTypes.DEFAULT_TYPE) -> set[int]:
    data = context.user_data if context.user_data is not None else {}
    return data.setdefault(SKIPPED, set())  # type: ignore[no-any-return]


async def send_next(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the next unsure comment, or say the queue is done."""
    chat = update.effective_chat
    if chat is None:
        return
    services = services_of(context)
    skipped = _skipped(context)
    comment, waiting = await next_for_review(services, skipped)
    if comment is None:
        text = "確認待ちの意見はありません。"
        if skipped and waiting:
            text += f"\nスキップした {waiting} 件は /review でもう一度表示します。"
        await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML)
        return
    await context.bot.send_message(
        chat.id,
        review_text(comment, waiting, services),
        parse_mode=ParseMode.HTML,
        reply_markup=single_keyboard(comment),
    )


@require_role(Role.ADMIN, Role.ANALYST)
async def review_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/review: start a pass over the unsure comments, most unsure first."""
    _skipped(context).clear()
    await send_next(update, context)


async def _close_message(update: Update, text: str) -> None:
    """Replace a review message's buttons with what happened to it."""
    query = update.callback_query
    assert query is not None
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=None)


async def _already_reviewed(update: Update) -> None:
    """A tap on an old review message: say so and take its buttons away (no second label)."""
    query = update.callback_query
    assert query is not None
    await query.answer("この意見はすでに確認済みです。")
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)


@require_role(Role.ADMIN, Role.ANALYST)
async def review_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A goal, 複数選択, 確定, 戻る or スキップ tap on a review message."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    tap = cb.parse_review(query.data)
    if tap is None:
        await query.answer()
        return
    comment_id, action, mask = tap.comment_id, tap.action, tap.mask
    services = services_of(context)
    async with services.uow() as uow:
        comment = await uow.comments.get(comment_id)
        if comment is None or not comment.needs_review:
            await _already_reviewed(update)
            return
        if action is ReviewAction.LABEL:
            goals = mask_to_goals(mask)
            if not await uow.comments.claim_for_review(comment_id):
                await _already_reviewed(update)
                return
            await uow.comments.add_label(comment_id, goals, by=user.id, at=services.now())
            await uow.commit()
    if action is ReviewAction.LABEL:
        log.info("comment %d labelled by %s", comment_id, services.respondent_key(user.id))
        await query.answer("保存しました")
        await _close_message(
            update, f"✅ #{comment_id} を {escape(goals_text(goals))} に分類しました。"
        )
        await send_next(update, context)
    elif action is ReviewAction.SKIP:
        _skipped(context).add(comment_id)
        await query.answer("スキップしました")
        await _close_message(update, f"⏭ #{comment_id} をスキップしました。")
        await send_next(update, context)
    else:
        toggling = action is ReviewAction.TOGGLE
        markup = multi_keyboard(comment_id, mask) if toggling else single_keyboard(comment)
        await query.answer()
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(reply_markup=markup)


# -- /comments -------------------------------------------------------------------------------


def listing_text(goal: str, page: int, comments: list[ReviewedComment], services: Services) -> str:
    """One page of a goal's comments: masked text, confidence, date."""
    lines = [
        f"<b>{escape(goal_name(goal, short=True))}</b> の意見（{page + 1} ページ目・新しい順）"
    ]
    if not comments:
        lines.append("\nこの目標の意見はまだありません。")
    for item in comments:
        comment = item.comment
        day = comment.created_at.astimezone(services.timezone).strftime("%Y-%m-%d")
        if item.label is not None:
            how = "分析者が確認済み"
        elif comment.confidence is None:
            how = "確信度 —"
        else:
            how = f"確信度 {comment.confidence:.2f}" + ("・要確認" if comment.needs_review else "")
        lines.append(
            f"\n#{comment.id}・{day}・{how}\n{escape(_clip(comment.masked_text, LISTED_CHARS))}"
        )
    return "\n".join(lines)


def page_keyboard(goal: str, page: int, more: bool) -> InlineKeyboardMarkup | None:
    """◀ 前へ / 次へ ▶ between pages."""
    buttons = []
    if page > 0:
        buttons.append(
            InlineKeyboardButton("◀ 前へ", callback_data=cb.comments_page_data(goal, page - 1))
        )
    if more:
        buttons.append(
            InlineKeyboardButton("次へ ▶", callback_data=cb.comments_page_data(goal, page + 1))
        )
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def listing(
    services: Services, goal: str, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and buttons of one page of a goal's comments."""
    async with services.uow() as uow:
        found = await uow.comments.reviewed_of_goal(goal, page * PAGE_SIZE, PAGE_SIZE + 1)
    shown = found[:PAGE_SIZE]
    return listing_text(goal, page, shown, services), page_keyboard(
        goal, page, len(found) > PAGE_SIZE
    )


async def counts_text(services: Services) -> str:
    """How many comments each goal has, and how many wait for review."""
    async with services.uow() as uow:
        counts = await uow.comments.reviewed_goal_counts()
        waiting = await uow.comments.review_queue_size()
    lines = ["<b>目標ごとの意見の件数</b>（全期間）"]
    for goal in (*GOAL_IDS, OTHER):
        lines.append(f"{escape(goal_name(goal, short=True))}: {counts.get(goal, 0)} 件")
    lines.append(f"確認待ち: {waiting} 件（/review）")
    lines.append("一覧は /comments 1 〜 /comments 4、/comments その他")
    return "\n".join(lines)


@require_role(Role.ADMIN, Role.ANALYST)
async def comments_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/comments: counts per goal; /comments <goal>: the goal's recent comments."""
    chat = update.effective_chat
    if chat is None:
        return
    services = services_of(context)
    args = context.args or []
    if not args:
        await context.bot.send_message(
            chat.id, await counts_text(services), parse_mode=ParseMode.HTML
        )
        return
    goal = GOAL_ARGUMENTS.get(args[0].strip().lower())
    if goal is None:
        await context.bot.send_message(
            chat.id, "目標は 1〜4 または その他 で指定してください（例: /comments 3）。"
        )
        return
    text, markup = await listing(services, goal, 0)
    await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


@require_role(Role.ADMIN, Role.ANALYST)
async def comments_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """次へ / 前へ on a comment list: show that page in the same message."""
    query = update.callback_query
    assert query is not None
    page = cb.parse_comments_page(query.data)
    await query.answer()
    if page is None:
        return
    text, markup = await listing(services_of(context), page.goal, page.page)
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


# -- wiring ----------------------------------------------------------------------------------


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """/review and /comments with their buttons (analysts and admins only)."""
    return [
        CommandHandler("review", review_command),
        CommandHandler("comments", comments_command),
        CallbackQueryHandler(review_tap, pattern=cb.REVIEW_PATTERN),
        CallbackQueryHandler(comments_page, pattern=cb.COMMENTS_PAGE_PATTERN),
    ]
