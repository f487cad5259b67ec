// Owns every user-facing server message (error bodies, moderation verdicts, validation problems), one
// table per language with the same keys; each request's messages follow its language (request-lang.ts).
import { fill, type Lang } from './strings';
import { requestLang } from './request-lang';

const zhCN = {
  // Transport and framework errors (errors.ts, app.ts, security/)
  internal_error: '服务器内部错误，请稍后再试。',
  payload_too_large: '请求内容过大。',
  invalid_json: '请求体不是有效的 JSON。',
  unsupported_encoding: '不支持的请求编码。',
  bad_request: '请求无效。',
  not_found_api: '接口不存在。',
  not_found_page: '页面不存在。',
  rate_limited: '操作太频繁，请 {seconds} 秒后再试。',
  csrf_rejected: '请求来源无法验证，已拒绝（跨站请求）。',

  // Articles and comments
  article_not_found: '文章不存在。',
  no_articles: '还没有文章。用 npm run article:add -- 文件 添加一篇。',
  comment_not_found: '评论不存在或已被删除。',
  comment_not_found_plain: '评论不存在。',
  not_author: '只能修改或删除自己的评论。',
  invalid_parent: '要回复的评论不存在、已被删除或不属于本文。',
  edit_window_closed: '评论发表 {minutes} 分钟后不能再编辑。',
  identity_required: '请先在页面上发表一次评论，或刷新页面后再试。',
  not_joined: '请先加入文章。',
  invalid_cursor: '分页游标无效或与排序方式不符。',
  invalid_comment_id: '评论编号无效。',

  // Moderation rules (moderation.rules.ts)
  name_too_long: '昵称最多 {max} 个字符。',
  comment_too_long: '评论最多 {max} 个字符。',
  comments_closed: '本文评论已关闭。',
  banned_until: '你已被禁言至 {until}，原因：{reason}',
  banned_forever: '你已被永久禁言，原因：{reason}',
  rate_limited_post: '发言太频繁，请 {seconds} 秒后再试。',
  duplicate_comment: '你刚刚发表过相同的评论。',
  banned_word: '评论包含禁止使用的词语「{word}」，请修改后再发。',

  // Reports and moderator actions (moderation.service.ts, moderation.routes.ts, moderation.socket.ts)
  cannot_report_own: '不能举报自己的评论。',
  already_reported: '你已经举报过这条评论。',
  invalid_state_approve: '只能通过待审核或被举报的评论。',
  invalid_state_reject: '只能拒绝待审核或已发布的评论。',
  invalid_state_restore: '只能恢复已拒绝的评论。',
  invalid_state_pin: '只能置顶已发布的评论。',
  cannot_pin_reply: '只能置顶一级评论。',
  no_network: '这条评论没有记录网络信息，无法按网络封禁。',
  ban_not_found: '封禁不存在或已解除。',
  word_empty: '词语不能为空。',
  word_not_found: '词语不存在。',
  moderator_not_found: '管理员账号不存在。',
  last_admin: '不能停用或降级最后一个管理员。',

  // Moderator accounts and sessions (auth.service.ts)
  unauthenticated: '请先登录。',
  session_expired: '登录已失效，请重新登录。',
  forbidden: '需要管理员权限。',
  weak_password: '密码至少 {min} 个字符。',
  invalid_username: '用户名须为 2–32 个字母、数字、下划线、点或横线。',
  username_taken: '用户名已被占用。',
  login_locked: '登录失败次数过多，请 {minutes} 分钟后再试。',
  invalid_credentials: '用户名或密码错误。',
  wrong_current_password: '当前密码不正确。',

  // Validation at the edge (comments.schema.ts, moderation.schema.ts): whole-request messages
  invalid_input: '输入无效：{problems}',
  problem_separator: ';',
  body_not_object: '请求体必须是 JSON 对象。',
  unknown_fields: '不支持的字段：{keys}',
  no_setting_changes: '没有要修改的设置。',
  no_changes: '没有要修改的内容。',

  // Validation: per-field problems ({field} is a label below or a wire field name)
  label_author_name: '昵称',
  label_body: '评论内容',
  field_not_string: '{field} 必须是字符串。',
  field_too_long: '{field} 过长。',
  field_lone_surrogate: '{field} 含有无效的 Unicode 字符（孤立代理项）。',
  field_empty: '{field} 不能为空。',
  field_positive_int: '必须是正整数。',
  field_format_invalid: '格式无效。',
  field_empty_short: '不能为空。',
  field_invalid_parent: '无效的父评论。',
  field_invalid_cursor: '无效的游标。',
  report_reason_invalid: '举报原因必须是 spam、abuse、off_topic 或 other。',
  note_too_long: '说明最多 {max} 个字符。',
  note_invalid: '说明含有无效字符。',
  sort_invalid: 'sort 必须是 newest、oldest 或 top。',
  limit_invalid: 'limit 必须是 1 到 50 的整数。',
  reason_too_long: '原因最多 {max} 个字符。',
  ids_not_array: 'ids 必须是评论编号数组。',
  ids_not_list: 'ids 必须是逗号分隔的编号。',
  username_required: '请输入用户名。',
  password_required: '请输入密码。',
  bulk_action_invalid: 'action 必须是 approve 或 reject。',
  ban_reason_required: '请填写封禁原因。',
  word_kind_invalid: 'kind 必须是 banned 或 suspect。',

  // Hardening (issue 8)
  like_limited: '这个网络对这条评论的点赞已达上限，请 {hours} 小时后再试。',
  host_not_allowed: '此站点不接受这个主机名的请求。',
  // Storage trouble (errors.ts, db/): the request changed nothing and can be retried
  storage_busy: '数据库正忙（被其他程序占用），请 {seconds} 秒后再试。',
  storage_full: '服务器磁盘已满，暂时无法保存，请稍后再试。',
  storage_unavailable: '数据库暂时不可用，暂时无法保存，请稍后再试。',
  thread_too_deep: '这串回复已经太深了（最多 {max} 层），请回复更上层的评论。',
  // An author's own data (issue 14)
  confirm_delete_all: '要删除你的全部评论，请确认：confirm 必须是 "delete-all"。',
  import_format_invalid: '导入格式必须是 {formats} 之一。',
  import_file_invalid: '文件无法导入，数据库未改动：{problem}',
  import_file_empty: '没有收到文件。',
  import_running: '另一个导入正在进行，请等它结束后再试。',
  // Staff posts (issue 11)
  staff_signin_required: '以编辑身份发表需要先登录管理后台。',
} as const;

export type MessageKey = keyof typeof zhCN;

const en: Record<MessageKey, string> = {
  internal_error: 'Internal server error. Please try again later.',
  payload_too_large: 'The request is too large.',
  invalid_json: 'The request body is not valid JSON.',
  unsupported_encoding: 'Unsupported request encoding.',
  bad_request: 'Bad request.',
  not_found_api: 'No such endpoint.',
  not_found_page: 'Page not found.',
  rate_limited: 'Too many requests. Please try again in {seconds} seconds.',
  csrf_rejected: 'The request origin could not be verified and was refused (cross-site request).',

  article_not_found: 'Article not found.',
  no_articles: 'No articles yet. Add one with npm run article:add -- FILE.',
  comment_not_found: 'The comment does not exist or has been deleted.',
  comment_not_found_plain: 'The comment does not exist.',
  not_author: 'You can only edit or delete your own comments.',
  invalid_parent: 'The comment you are replying to does not exist, was deleted or belongs to another article.',
  edit_window_closed: 'Comments can no longer be edited {minutes} minutes after posting.',
  identity_required: 'Post a comment on the page first, or reload the page and try again.',
  not_joined: 'Join an article first.',
  invalid_cursor: 'The page cursor is invalid or does not match the sort order.',
  invalid_comment_id: 'Invalid comment id.',

  name_too_long: 'Names can be at most {max} characters.',
  comment_too_long: 'Comments can be at most {max} characters.',
  comments_closed: 'Comments are closed on this article.',
  banned_until: 'You are banned from commenting until {until}. Reason: {reason}',
  banned_forever: 'You are permanently banned from commenting. Reason: {reason}',
  rate_limited_post: 'You are posting too often. Please try again in {seconds} seconds.',
  duplicate_comment: 'You just posted the same comment.',
  banned_word: 'Your comment contains the banned word “{word}”. Please edit it and try again.',

  cannot_report_own: 'You cannot report your own comment.',
  already_reported: 'You have already reported this comment.',
  invalid_state_approve: 'Only pending or reported comments can be approved.',
  invalid_state_reject: 'Only pending or published comments can be rejected.',
  invalid_state_restore: 'Only rejected comments can be restored.',
  invalid_state_pin: 'Only published comments can be pinned.',
  cannot_pin_reply: 'Only top-level comments can be pinned.',
  no_network: 'No network information was recorded for this comment, so it cannot be banned by network.',
  ban_not_found: 'The ban does not exist or has been lifted.',
  word_empty: 'The word cannot be empty.',
  word_not_found: 'Word not found.',
  moderator_not_found: 'Moderator account not found.',
  last_admin: 'The last administrator cannot be disabled or demoted.',

  unauthenticated: 'Please sign in first.',
  session_expired: 'Your session has expired. Please sign in again.',
  forbidden: 'Administrator permission required.',
  weak_password: 'Passwords must be at least {min} characters.',
  invalid_username: 'Usernames must be 2–32 letters, digits, underscores, dots or hyphens.',
  username_taken: 'That username is taken.',
  login_locked: 'Too many failed sign-ins. Please try again in {minutes} minutes.',
  invalid_credentials: 'Wrong username or password.',
  wrong_current_password: 'The current password is incorrect.',

  invalid_input: 'Invalid input: {problems}',
  problem_separator: '; ',
  body_not_object: 'The request body must be a JSON object.',
  unknown_fields: 'Unsupported fields: {keys}',
  no_setting_changes: 'There are no settings to change.',
  no_changes: 'There is nothing to change.',

  label_author_name: 'Name',
  label_body: 'Comment',
  field_not_string: '{field} must be a string.',
  field_too_long: '{field} is too long.',
  field_lone_surrogate: '{field} contains invalid Unicode (a lone surrogate).',
  field_empty: '{field} cannot be empty.',
  field_positive_int: 'must be a positive integer.',
  field_format_invalid: 'invalid format.',
  field_empty_short: 'cannot be empty.',
  field_invalid_parent: 'invalid parent comment.',
  field_invalid_cursor: 'invalid cursor.',
  report_reason_invalid: 'The report reason must be spam, abuse, off_topic or other.',
  note_too_long: 'The note can be at most {max} characters.',
  note_invalid: 'The note contains invalid characters.',
  sort_invalid: 'sort must be newest, oldest or top.',
  limit_invalid: 'limit must be an integer from 1 to 50.',
  reason_too_long: 'The reason can be at most {max} characters.',
  ids_not_array: 'ids must be an array of comment ids.',
  ids_not_list: 'ids must be comma-separated ids.',
  username_required: 'Enter a username.',
  password_required: 'Enter a password.',
  bulk_action_invalid: 'action must be approve or reject.',
  ban_reason_required: 'Give a reason for the ban.',
  word_kind_invalid: 'kind must be banned or suspect.',

  like_limited: 'This network has reached its like limit for this comment. Please try again in {hours} hours.',
  host_not_allowed: 'This site does not answer requests for that host name.',
  storage_busy: 'The database is busy (held by another program). Please try again in {seconds} seconds.',
  storage_full: 'The server disk is full, so nothing can be saved right now. Please try again later.',
  storage_unavailable: 'The database is unavailable, so nothing can be saved right now. Please try again later.',
  thread_too_deep: 'This reply chain is too deep (at most {max} levels); reply to a comment higher up.',
  confirm_delete_all: 'To delete all of your comments, confirm: confirm must be "delete-all".',
  import_format_invalid: 'The import format must be one of {formats}.',
  import_file_invalid: 'The file cannot be imported; the database is unchanged: {problem}',
  import_file_empty: 'No file was received.',
  import_running: 'Another import is running; try again when it has finished.',
  staff_signin_required: 'Posting as staff needs a console sign-in.',
};

export const MESSAGES: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

/** The message for key in lang (by default the language of the request being answered, else zh-CN), filled. */
export function msg(key: MessageKey, vars?: Record<string, string | number>, lang: Lang = requestLang() ?? 'zh-CN'): string {
  const template = MESSAGES[lang][key];
  return vars ? fill(template, vars) : template;
}
