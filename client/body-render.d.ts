// The server's body renderer and normalization (server/comments/comments.render.ts), served as /assets/js/body-render.js.
export declare function normalizeBody(s: string): string;
export declare function renderBody(body: string): string;
