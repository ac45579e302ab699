// A third-party ActivityPub peer built on Fedify, for tests/integration/fedify.rs.
//
// It is one actor, `peer` (a Person with RSA and Ed25519 keys made at start), served with its
// WebFinger and inbox at http://127.0.0.1:PORT (ids use http://localhost:PORT). It resolves a
// copse community through WebFinger and Fedify's lookupObject, follows it, and then reports
// every activity its inbox receives. Signatures, JSON-LD parsing and delivery are all Fedify's
// own (with its defaults: RFC 9421 signatures first, draft-cavage on a 4xx, a `proof` and a
// Linked Data signature in every activity): this program only wires them up and talks to the
// test.
//
//   node peer.mjs --copse http://localhost:8080 --community gardeners [--port 0]
//   (--community a,b follows each; commands write to the first)
//
// The test drives it with JSON lines. On stdout the peer writes events:
//   {"event":"ready","actor":URL,"port":N}
//   {"event":"community","id":URL,"subject":"acct:…","name":…}
//   {"event":"followed","id":URL}          {"event":"accepted","follow":URL}
//   {"event":"received","type":"Announce","id":…,"actor":…,
//    "objectType":"Create","objectId":…,"innerType":"Page","innerId":…,"innerName":…}
//   {"event":"sent","cmd":"reply","activity":URL,"note":URL}
//   {"event":"error","step":…,"message":…}
// On stdin it reads commands:
//   {"cmd":"reply","inReplyTo":URL,"content":"text"}   a Create(Note) replying to a post
//   {"cmd":"mention","content":"first line\nmore"}   a public Create(Note) mentioning the community
//   {"cmd":"join","event":URL}                          a Join of an event (Mobilizon's RSVP), sent
//                                                      to the community's inbox
//   {"cmd":"quit"}                                    (or end of input)
// Logs (Fedify's warnings, one line per HTTP request) go to stderr; FEDIFY_PEER_DEBUG=1 adds
// Fedify's debug log.

import { AsyncLocalStorage } from "node:async_hooks";
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Temporal } from "@js-temporal/polyfill";
import { configure, defaultTextFormatter } from "@logtape/logtape";
import { createFederation, generateCryptoKeyPair, MemoryKvStore } from "@fedify/fedify";
import {
  Accept,
  Activity,
  Create,
  Endpoints,
  Follow,
  Join,
  Mention,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Reject,
} from "@fedify/vocab";

const IDENTIFIER = "peer";

const { values: args } = parseArgs({
  options: {
    copse: { type: "string", default: process.env.FEDIFY_PEER_COPSE },
    community: { type: "string", default: process.env.FEDIFY_PEER_COMMUNITY },
    port: { type: "string", default: process.env.FEDIFY_PEER_PORT ?? "0" },
  },
});
if (!args.copse || !args.community) {
  process.stderr.write("usage: node peer.mjs --copse URL --community NAME [--port N]\n");
  process.exit(2);
}

/** One JSON line on stdout: the only thing the test reads. */
function emit(event) {
  process.stdout.write(JSON.stringify(event) + "\n");
}

function fail(step, error) {
  emit({ event: "error", step, message: String(error?.stack ?? error) });
}

await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: {
    stderr: (record) => process.stderr.write(defaultTextFormatter(record)),
  },
  loggers: [
    {
      category: "fedify",
      lowestLevel: process.env.FEDIFY_PEER_DEBUG ? "debug" : "warning",
      sinks: ["stderr"],
    },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
  ],
});

// Bind first, so the origin (and every id) carries the real port.
const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    process.stderr.write(`peer: ${req.method} ${req.url} failed: ${error?.stack ?? error}\n`);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(Number(args.port), "127.0.0.1", resolve);
});
const port = server.address().port;
const origin = `http://localhost:${port}`;

// As Fedify recommends: RSA for HTTP signatures, Ed25519 for Object Integrity Proofs (FEP-8b32),
// so activities also carry a `proof`, as those of real Fedify servers do.
const keyPairs = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
  await generateCryptoKeyPair("Ed25519"),
];
/** Notes this actor wrote, by id, served at /notes/{id} as a real server would. */
const notes = new Map();

const federation = createFederation({
  kv: new MemoryKvStore(),
  origin,
  // The community lives on loopback (localhost:PORT): Fedify refuses private addresses unless
  // told otherwise. Tests only.
  allowPrivateAddress: true,
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify peer",
      summary: "A test peer built on Fedify.",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      manuallyApprovesFollowers: false,
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === IDENTIFIER ? keyPairs : []));

federation.setObjectDispatcher(Note, "/notes/{id}", (_ctx, values) => notes.get(values.id) ?? null);

/** The fragment of a vocabulary object's type URI: "Create", "Page", … */
function typeName(object) {
  const uri = object?.constructor?.typeId?.href;
  return uri ? uri.slice(uri.lastIndexOf("#") + 1) : null;
}

function plainContent(object) {
  const content = object?.content;
  return content == null ? null : String(content);
}

/**
 * What an inbox activity is, as Fedify parsed it. Fedify takes an embedded object as is when it
 * comes from the activity's own origin and fetches it otherwise; `resolve: false` (for an
 * Accept, whose embedded Follow is ours) reports only the object's id.
 */
async function describe(ctx, activity, { resolve = true } = {}) {
  const event = {
    event: "received",
    type: typeName(activity),
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    objectId: activity.objectId?.href ?? null,
  };
  if (!resolve) return event;
  const object = await activity.getObject({ documentLoader: ctx.documentLoader });
  if (object != null) {
    event.objectType = typeName(object);
    event.objectId = object.id?.href ?? event.objectId;
    event.objectName = object.name == null ? null : String(object.name);
    event.objectContent = plainContent(object);
    if (object instanceof Activity) {
      const inner = await object.getObject({ documentLoader: ctx.documentLoader });
      event.innerType = typeName(inner);
      event.innerId = inner?.id?.href ?? object.objectId?.href ?? null;
      event.innerName = inner?.name == null ? null : String(inner.name);
      event.innerContent = plainContent(inner);
    }
  }
  return event;
}

let community = null;
const followIds = new Set();

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, async (ctx, accept) => {
    emit(await describe(ctx, accept, { resolve: false }));
    if (followIds.has(accept.objectId?.href)) {
      emit({ event: "accepted", follow: accept.objectId.href, actor: accept.actorId?.href ?? null });
    }
  })
  .on(Reject, async (ctx, reject) => {
    emit(await describe(ctx, reject, { resolve: false }));
    if (followIds.has(reject.objectId?.href)) {
      emit({ event: "rejected", follow: reject.objectId.href });
    }
  })
  .on(Activity, async (ctx, activity) => {
    emit(await describe(ctx, activity));
  })
  .onError((_ctx, error) => fail("inbox", error));

async function handle(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(new URL(req.url, origin), {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
  const response = await federation.fetch(request, {
    contextData: undefined,
    onNotFound: () => new Response("not found", { status: 404 }),
    onNotAcceptable: () => new Response("not acceptable", { status: 406 }),
  });
  const body = Buffer.from(await response.arrayBuffer());
  process.stderr.write(`peer: ${req.method} ${req.url} -> ${response.status}\n`);
  if (response.status >= 400 && body.length > 0) {
    process.stderr.write(`peer:   ${body.toString("utf8").slice(0, 500)}\n`);
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(body);
}

function context() {
  return federation.createContext(new URL(origin), undefined);
}

/** acct: WebFinger on the copse instance (Fedify's own lookup insists on https for acct:). */
async function webfinger(copse, name) {
  const host = new URL(copse).host;
  const subject = `acct:${name}@${host}`;
  const url = new URL("/.well-known/webfinger", copse);
  url.searchParams.set("resource", subject);
  const res = await fetch(url, { headers: { accept: "application/jrd+json" } });
  if (!res.ok) throw new Error(`WebFinger ${url}: ${res.status} ${await res.text()}`);
  const jrd = await res.json();
  const self = jrd.links?.find(
    (l) => l.rel === "self" && /activity\+json|ld\+json/.test(l.type ?? ""),
  );
  if (!self?.href) throw new Error(`WebFinger ${url}: no self link in ${JSON.stringify(jrd)}`);
  return { subject: jrd.subject, href: self.href };
}

/** Follows the community `name`; the first one followed is the one commands write to. */
async function follow(name) {
  const ctx = context();
  const { subject, href } = await webfinger(args.copse, name);
  const group = await ctx.lookupObject(href);
  if (group == null || typeName(group) !== "Group") {
    throw new Error(`${href} is not a Group: ${typeName(group)}`);
  }
  community ??= group;
  emit({
    event: "community",
    id: group.id.href,
    subject,
    name: group.name == null ? null : String(group.name),
    inbox: group.inboxId?.href ?? null,
    sharedInbox: group.endpoints?.sharedInbox?.href ?? null,
  });
  const followId = `${origin}/follows/${randomUUID()}`;
  followIds.add(followId);
  await ctx.sendActivity(
    { identifier: IDENTIFIER },
    group,
    new Follow({
      id: new URL(followId),
      actor: ctx.getActorUri(IDENTIFIER),
      object: group.id,
      to: group.id,
    }),
  );
  emit({ event: "followed", id: followId });
}

/** HTML paragraphs from plain lines, escaped. */
function paragraphs(lines) {
  const escape = (s) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  return lines.map((l) => `<p>${escape(l)}</p>`);
}

/** Sends a Create of a new Note to the community, and serves the Note from then on. */
async function createNote(cmd, fields) {
  const ctx = context();
  const noteKey = randomUUID();
  const noteId = ctx.getObjectUri(Note, { id: noteKey });
  const note = new Note({
    id: noteId,
    attribution: ctx.getActorUri(IDENTIFIER),
    published: Temporal.Now.instant(),
    ...fields,
  });
  notes.set(noteKey, note);
  const create = new Create({
    id: new URL(`${origin}/activities/create/${randomUUID()}`),
    actor: ctx.getActorUri(IDENTIFIER),
    object: note,
    tos: note.toIds,
    ccs: note.ccIds,
    published: note.published,
  });
  await ctx.sendActivity({ identifier: IDENTIFIER }, community, create);
  emit({ event: "sent", cmd, activity: create.id.href, note: noteId.href });
}

async function run(cmd) {
  if (community == null) throw new Error("the community is not resolved yet");
  switch (cmd.cmd) {
    case "reply":
      return createNote("reply", {
        replyTarget: new URL(cmd.inReplyTo),
        content: paragraphs(cmd.content.split("\n")).join(""),
        to: PUBLIC_COLLECTION,
        cc: community.id,
      });
    case "mention": {
      const name = `@${community.preferredUsername}@${community.id.host}`;
      const mention =
        `<span class="h-card"><a href="${community.id.href}" class="u-url mention">` +
        `@<span>${community.preferredUsername}</span></a></span> `;
      const [first, ...rest] = paragraphs(cmd.content.split("\n"));
      return createNote("mention", {
        content: first.replace("<p>", `<p>${mention}`) + rest.join(""),
        to: PUBLIC_COLLECTION,
        cc: community.id,
        tags: [new Mention({ href: community.id, name })],
      });
    }
    case "join": {
      const ctx = context();
      const joinId = `${origin}/joins/${randomUUID()}`;
      await ctx.sendActivity(
        { identifier: IDENTIFIER },
        community,
        new Join({
          id: new URL(joinId),
          actor: ctx.getActorUri(IDENTIFIER),
          object: new URL(cmd.event),
          to: community.id,
        }),
      );
      emit({ event: "sent", cmd: "join", activity: joinId });
      return;
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(cmd)}`);
  }
}

function shutdown(code) {
  server.close();
  server.closeAllConnections();
  process.exit(code);
}

emit({ event: "ready", actor: context().getActorUri(IDENTIFIER).href, port });

try {
  for (const name of args.community.split(",")) await follow(name);
} catch (error) {
  fail("follow", error);
  shutdown(1);
}

// Commands run one at a time, in the order given.
let queue = Promise.resolve();
createInterface({ input: process.stdin })
  .on("line", (line) => {
    if (line.trim() === "") return;
    queue = queue.then(async () => {
      let cmd;
      try {
        cmd = JSON.parse(line);
        if (cmd.cmd === "quit") shutdown(0);
        await run(cmd);
      } catch (error) {
        fail(cmd?.cmd ?? "command", error);
      }
    });
  })
  .on("close", () => queue.then(() => shutdown(0)));
