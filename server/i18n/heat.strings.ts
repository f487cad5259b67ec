// Owns the page and message strings of the heated-thread tools (issue 15): slow mode, typing, reactions,
// edit history and picks. Spread into strings.ts and messages.ts, zh-CN and en with the same keys.

const pageZh = {
  slowModeNotice: '慢速模式：每{interval}可发言一次',
  slowModeWait: '· {seconds} 秒后可再次发言',
  intervalSeconds: ' {n} 秒',
  intervalMinutes: ' {n} 分钟',
  typingCount: '{n} 人正在输入…',
  typingToggle: '显示谁在输入',
  featured: '精选',
  featuredFilter: '精选',
  featuredAll: '全部评论',
  featuredEmpty: '还没有精选评论。',
  reactionsLabel: '表态',
  reactionAdd: '表态',
  react_agree: '赞同',
  react_disagree: '不赞同',
  react_laugh: '好笑',
  react_wow: '惊讶',
  react_sad: '难过',
  react_angry: '生气',
  react_heart: '喜欢',
  react_think: '思考',
  historyTitle: '编辑历史',
  historyCurrent: '当前版本',
  historyWritten: '写于 {time}',
  historyReplaced: '{time} 被改',
  historyClose: '关闭',
  historyEmpty: '没有可显示的早先版本。',
} as const;

const pageEn: Record<keyof typeof pageZh, string> = {
  slowModeNotice: 'Slow mode: one comment every {interval}',
  slowModeWait: '· you can post again in {seconds} s',
  intervalSeconds: '{n} seconds',
  intervalMinutes: '{n} minutes',
  typingCount: '{n} typing…',
  typingToggle: 'Show who is typing',
  featured: 'Featured',
  featuredFilter: 'Featured',
  featuredAll: 'All comments',
  featuredEmpty: 'No featured comments yet.',
  reactionsLabel: 'Reactions',
  reactionAdd: 'React',
  react_agree: 'Agree',
  react_disagree: 'Disagree',
  react_laugh: 'Funny',
  react_wow: 'Wow',
  react_sad: 'Sad',
  react_angry: 'Angry',
  react_heart: 'Love',
  react_think: 'Hmm',
  historyTitle: 'Edit history',
  historyCurrent: 'Current version',
  historyWritten: 'Written {time}',
  historyReplaced: 'replaced {time}',
  historyClose: 'Close',
  historyEmpty: 'No earlier versions to show.',
};

const messagesZh = {
  slow_mode: '慢速模式：本文每{interval}只能发言一次，请 {seconds} 秒后再试。',
  reaction_limited: '这个网络对这条评论的这种表态已达上限，请 {hours} 小时后再试。',
  reaction_not_offered: '本站不提供这种表态。',
  invalid_state_feature: '只有已发布的评论可以设为精选。',
} as const;

const messagesEn: Record<keyof typeof messagesZh, string> = {
  slow_mode: 'Slow mode: one comment every {interval} here. Please try again in {seconds} seconds.',
  reaction_limited: 'This network has reached its limit for this reaction on this comment. Please try again in {hours} hours.',
  reaction_not_offered: 'This site does not offer that reaction.',
  invalid_state_feature: 'Only a published comment can be featured.',
};

export const HEAT_STRINGS = { 'zh-CN': pageZh, en: pageEn };
export const HEAT_MESSAGES = { 'zh-CN': messagesZh, en: messagesEn };
