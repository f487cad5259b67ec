// A change nobody on this node listens to is not built or encoded: with the node's own adapter an empty room is
// skipped, and each audience (the article's readers, the author's own tabs, count watchers, moderators) still
// hears everything the moment it is there. With a cluster adapter every emit goes out (other nodes' readers).
import type { Server } from 'socket.io';
import { createPublisher } from '../server/realtime/publish';
import { articleRoom } from '../server/realtime/rooms';
import { connectSocket, emitAck, nextEvent, postComment, reader, useTestServer, TEST_SLUG } from './helpers/server';

describe('who a change is sent to', () => {
  const s = useTestServer();

  const spyBroadcasts = (io: Server) => {
    const rooms: string[][] = [];
    for (const nsp of ['/', '/moderation']) {
      const adapter = io.of(nsp).adapter;
      const real = adapter.broadcast.bind(adapter);
      jest.spyOn(adapter, 'broadcast').mockImplementation((packet, opts) => {
        rooms.push([nsp, ...opts.rooms]);
        real(packet, opts);
      });
    }
    return rooms;
  };
  afterEach(() => jest.restoreAllMocks());

  it('encodes nothing for an article nobody watches, and everything once a reader or the author is there', async () => {
    const sent = spyBroadcasts(s.app.io);
    const writer = reader(s);
    expect((await postComment(writer, TEST_SLUG, { authorName: '甲', body: '没人在看' })).status).toBe(201);
    expect(sent).toEqual([]);

    // A reader of the article hears the comment; the author's own tab hears its own view.
    const other = await connectSocket(s);
    expect((await emitAck(other, 'join', { article: TEST_SLUG })).ok).toBe(true);
    const own = await connectSocket(s, { cookie: writer.cookie() });
    expect((await emitAck(own, 'join', { article: TEST_SLUG })).ok).toBe(true);
    const theirs = nextEvent<{ comment: { body: string; mine?: boolean } }>(other, 'comment:created');
    const mine = nextEvent<{ comment: { body: string; mine?: boolean } }>(own, 'comment:created');
    expect((await postComment(writer, TEST_SLUG, { authorName: '甲', body: '有人在看' })).status).toBe(201);
    expect((await theirs).comment).toMatchObject({ body: '有人在看', mine: false });
    expect((await mine).comment).toMatchObject({ body: '有人在看', mine: true });
    expect(sent.map((r) => r[1])).toEqual(expect.arrayContaining([articleRoom(s.article.id), expect.stringMatching(/:author:/)]));
    // Count watchers (an embedding page's <yilun-count>) are an audience of their own: see embed.api.test.ts.
  });

  it('sends every change when the adapter is shared by several nodes, whoever is in its rooms here', async () => {
    const written = await s.store.comments.insert({
      articleId: s.article.id, parent: null, authorId: null, newAuthorTokenHash: 'cluster-tok', authorName: '乙', body: '别的节点有人在看',
      html: '<p>别的节点有人在看</p>', status: 'published', heldReason: null, ipHash: 'net-c', createdAt: s.clock.now,
    });
    const sent = spyBroadcasts(s.app.io);
    const publish = createPublisher(s.app.io, 0, undefined, undefined, { clustered: true });
    publish({ type: 'comment.changed', article: { id: s.article.id, slug: TEST_SLUG }, changes: [written.change], commentCount: written.commentCount });
    await new Promise((r) => setTimeout(r, 20));
    // Readers, the author's own room, moderators and count watchers: all four go out although none listens here.
    expect(sent.map((r) => r.join(' '))).toEqual([
      articleRoom(s.article.id),
      `/ art:${s.article.id}:author:${written.authorId}`,
      '/moderation',
      `/ watch:${TEST_SLUG}`,
    ].map((x) => (x.startsWith('/') ? x : `/ ${x}`)));
  });
});
