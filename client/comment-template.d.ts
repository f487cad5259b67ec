// The comment partial compiled by EJS in client mode (served as /assets/js/comment-template.js).
export declare function renderCommentTemplate(locals: Record<string, unknown>): string;
