--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: __diesel_schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.__diesel_schema_migrations (
    version character varying(50) NOT NULL,
    run_on timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);


--
-- Name: actor_names; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.actor_names (
    name text NOT NULL,
    kind text NOT NULL
);


--
-- Name: comments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.comments (
    id bigint NOT NULL,
    ap_id text NOT NULL,
    post_id bigint NOT NULL,
    parent_id bigint,
    author_id bigint NOT NULL,
    body_md text NOT NULL,
    body_html text NOT NULL,
    local boolean NOT NULL,
    published timestamp without time zone NOT NULL,
    updated timestamp without time zone,
    deleted boolean NOT NULL,
    score bigint DEFAULT 0 NOT NULL,
    removed boolean DEFAULT false NOT NULL
);


--
-- Name: comments_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.comments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: comments_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.comments_id_seq OWNED BY public.comments.id;


--
-- Name: communities; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.communities (
    id bigint NOT NULL,
    ap_id text NOT NULL,
    name text NOT NULL,
    title text NOT NULL,
    summary_md text NOT NULL,
    summary_html text NOT NULL,
    purpose text NOT NULL,
    domain text NOT NULL,
    practice text NOT NULL,
    meeting_cadence text NOT NULL,
    code_of_conduct_md text NOT NULL,
    code_of_conduct_html text NOT NULL,
    membership_policy text NOT NULL,
    visibility text NOT NULL,
    posting_restricted_to_mods boolean NOT NULL,
    questions text NOT NULL,
    inbox_url text NOT NULL,
    shared_inbox_url text,
    followers_url text,
    public_key text NOT NULL,
    private_key text,
    local boolean NOT NULL,
    published timestamp without time zone NOT NULL,
    updated timestamp without time zone,
    last_refreshed_at timestamp without time zone NOT NULL
);


--
-- Name: communities_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.communities_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: communities_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.communities_id_seq OWNED BY public.communities.id;


--
-- Name: community_bans; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.community_bans (
    community_id bigint NOT NULL,
    person_id bigint NOT NULL,
    reason text,
    expires_at timestamp without time zone,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: community_members; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.community_members (
    community_id bigint NOT NULL,
    person_id bigint NOT NULL,
    role text NOT NULL,
    state text NOT NULL,
    answers text,
    created_at timestamp without time zone NOT NULL,
    follow_id text
);


--
-- Name: deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deliveries (
    id bigint NOT NULL,
    activity_id bigint NOT NULL,
    inbox text NOT NULL,
    host text NOT NULL,
    object_key text NOT NULL,
    state text NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamp without time zone NOT NULL,
    claimed_until timestamp without time zone,
    claimed_by text,
    last_error text,
    created_at timestamp without time zone NOT NULL,
    finished_at timestamp without time zone
);


--
-- Name: deliveries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.deliveries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: deliveries_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.deliveries_id_seq OWNED BY public.deliveries.id;


--
-- Name: instance_actor; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.instance_actor (
    id bigint NOT NULL,
    public_key text NOT NULL,
    private_key text NOT NULL,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: instance_health; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.instance_health (
    host text NOT NULL,
    failing_since timestamp without time zone,
    retry_at timestamp without time zone,
    last_success_at timestamp without time zone
);


--
-- Name: instance_policy; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.instance_policy (
    host text NOT NULL,
    kind text NOT NULL,
    reason text,
    created_at timestamp without time zone NOT NULL,
    CONSTRAINT instance_policy_kind_check CHECK ((kind = ANY (ARRAY['block'::text, 'allow'::text])))
);


--
-- Name: invitations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invitations (
    community_id bigint NOT NULL,
    person_id bigint NOT NULL,
    invited_by bigint NOT NULL,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: local_users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.local_users (
    id bigint NOT NULL,
    person_id bigint NOT NULL,
    email text NOT NULL,
    password_hash text NOT NULL,
    is_admin boolean NOT NULL,
    approved boolean NOT NULL,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: local_users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.local_users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: local_users_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.local_users_id_seq OWNED BY public.local_users.id;


--
-- Name: mod_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.mod_log (
    id bigint NOT NULL,
    community_id bigint NOT NULL,
    moderator_id bigint NOT NULL,
    action text NOT NULL,
    person_id bigint,
    object_ap_id text,
    reason text,
    expires_at timestamp without time zone,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: mod_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.mod_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: mod_log_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.mod_log_id_seq OWNED BY public.mod_log.id;


--
-- Name: outbox_activities; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox_activities (
    id bigint NOT NULL,
    ap_id text NOT NULL,
    signer text NOT NULL,
    object_key text NOT NULL,
    body text NOT NULL,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: outbox_activities_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.outbox_activities_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: outbox_activities_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.outbox_activities_id_seq OWNED BY public.outbox_activities.id;


--
-- Name: outbox_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox_events (
    id bigint NOT NULL,
    event text NOT NULL,
    created_at timestamp without time zone NOT NULL,
    planned_at timestamp without time zone,
    set_aside_at timestamp without time zone,
    set_aside_reason text
);


--
-- Name: outbox_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.outbox_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: outbox_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.outbox_events_id_seq OWNED BY public.outbox_events.id;


--
-- Name: persons; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.persons (
    id bigint NOT NULL,
    ap_id text NOT NULL,
    name text NOT NULL,
    display_name text,
    summary_md text,
    summary_html text,
    inbox_url text NOT NULL,
    shared_inbox_url text,
    public_key text NOT NULL,
    private_key text,
    local boolean NOT NULL,
    published timestamp without time zone NOT NULL,
    updated timestamp without time zone,
    last_refreshed_at timestamp without time zone NOT NULL
);


--
-- Name: persons_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.persons_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: persons_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.persons_id_seq OWNED BY public.persons.id;


--
-- Name: posts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.posts (
    id bigint NOT NULL,
    ap_id text NOT NULL,
    community_id bigint NOT NULL,
    author_id bigint NOT NULL,
    title text NOT NULL,
    body_md text NOT NULL,
    body_html text NOT NULL,
    local boolean NOT NULL,
    published timestamp without time zone NOT NULL,
    updated timestamp without time zone,
    locked boolean NOT NULL,
    deleted boolean NOT NULL,
    score bigint DEFAULT 0 NOT NULL,
    pinned boolean DEFAULT false NOT NULL,
    removed boolean DEFAULT false NOT NULL,
    last_activity_at timestamp without time zone NOT NULL
);


--
-- Name: posts_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.posts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: posts_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.posts_id_seq OWNED BY public.posts.id;


--
-- Name: received_activities; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.received_activities (
    ap_id text NOT NULL,
    received_at timestamp without time zone NOT NULL
);


--
-- Name: reports; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.reports (
    id bigint NOT NULL,
    ap_id text NOT NULL,
    community_id bigint NOT NULL,
    reporter_id bigint NOT NULL,
    object_ap_id text NOT NULL,
    reason text NOT NULL,
    resolved_by bigint,
    resolved_at timestamp without time zone,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: reports_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.reports_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: reports_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.reports_id_seq OWNED BY public.reports.id;


--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    token_hash text NOT NULL,
    local_user_id bigint NOT NULL,
    created_at timestamp without time zone NOT NULL,
    expires_at timestamp without time zone NOT NULL
);


--
-- Name: tombstones; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tombstones (
    ap_id text NOT NULL,
    deleted_at timestamp without time zone NOT NULL
);


--
-- Name: votes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.votes (
    person_id bigint NOT NULL,
    object_ap_id text NOT NULL,
    score integer NOT NULL,
    activity_id text,
    created_at timestamp without time zone NOT NULL
);


--
-- Name: comments id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comments ALTER COLUMN id SET DEFAULT nextval('public.comments_id_seq'::regclass);


--
-- Name: communities id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.communities ALTER COLUMN id SET DEFAULT nextval('public.communities_id_seq'::regclass);


--
-- Name: deliveries id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deliveries ALTER COLUMN id SET DEFAULT nextval('public.deliveries_id_seq'::regclass);


--
-- Name: local_users id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.local_users ALTER COLUMN id SET DEFAULT nextval('public.local_users_id_seq'::regclass);


--
-- Name: mod_log id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mod_log ALTER COLUMN id SET DEFAULT nextval('public.mod_log_id_seq'::regclass);


--
-- Name: outbox_activities id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_activities ALTER COLUMN id SET DEFAULT nextval('public.outbox_activities_id_seq'::regclass);


--
-- Name: outbox_events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_events ALTER COLUMN id SET DEFAULT nextval('public.outbox_events_id_seq'::regclass);


--
-- Name: persons id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.persons ALTER COLUMN id SET DEFAULT nextval('public.persons_id_seq'::regclass);


--
-- Name: posts id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.posts ALTER COLUMN id SET DEFAULT nextval('public.posts_id_seq'::regclass);


--
-- Name: reports id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reports ALTER COLUMN id SET DEFAULT nextval('public.reports_id_seq'::regclass);


--
-- Data for Name: __diesel_schema_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.__diesel_schema_migrations VALUES ('20261123000001', '2026-12-02 02:13:09.510376');
INSERT INTO public.__diesel_schema_migrations VALUES ('20261123000002', '2026-12-02 02:13:09.548485');
INSERT INTO public.__diesel_schema_migrations VALUES ('20261123000003', '2026-12-02 02:13:09.554003');
INSERT INTO public.__diesel_schema_migrations VALUES ('20261123000004', '2026-12-02 02:13:09.573978');
INSERT INTO public.__diesel_schema_migrations VALUES ('20261123000005', '2026-12-02 02:13:09.589336');
INSERT INTO public.__diesel_schema_migrations VALUES ('20261123000006', '2026-12-02 02:13:09.601065');
INSERT INTO public.__diesel_schema_migrations VALUES ('20261124000007', '2026-12-02 02:13:09.604768');
INSERT INTO public.__diesel_schema_migrations VALUES ('20261124000008', '2026-12-02 02:13:09.624189');
INSERT INTO public.__diesel_schema_migrations VALUES ('20261124000009', '2026-12-02 02:13:09.637071');
INSERT INTO public.__diesel_schema_migrations VALUES ('20261124000010', '2026-12-02 02:13:09.667848');
INSERT INTO public.__diesel_schema_migrations VALUES ('20261201000011', '2026-12-02 02:13:09.682958');
INSERT INTO public.__diesel_schema_migrations VALUES ('20261201000012', '2026-12-02 02:13:09.684038');


--
-- Data for Name: actor_names; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.actor_names VALUES ('ada', 'person');
INSERT INTO public.actor_names VALUES ('bea', 'person');
INSERT INTO public.actor_names VALUES ('cy', 'person');
INSERT INTO public.actor_names VALUES ('weavers', 'community');


--
-- Data for Name: comments; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.comments VALUES (1, 'http://localhost:8130/comment/1', 2, NULL, 2, 'Front to back.', '<p>Front to back.</p>
', true, '2026-12-02 02:13:16.754615', NULL, false, 0, false);
INSERT INTO public.comments VALUES (2, 'http://localhost:8130/comment/2', 2, 1, 3, 'Back to front!', '<p>Back to front!</p>
', true, '2026-12-02 02:13:16.789416', NULL, false, 0, false);


--
-- Data for Name: communities; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.communities VALUES (1, 'http://localhost:8130/c/weavers', 'weavers', 'The weavers community', '', '', 'Keep looms running', 'Textiles', '', '', '', '', 'approval', 'public', false, '["Which loom do you use?"]', 'http://localhost:8130/c/weavers/inbox', 'http://localhost:8130/inbox', 'http://localhost:8130/c/weavers/followers', '', NULL, true, '2026-12-02 02:13:16.600605', NULL, '2026-12-02 02:13:16.600605');


--
-- Data for Name: community_bans; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: community_members; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.community_members VALUES (1, 1, 'owner', 'active', NULL, '2026-12-02 02:13:16.600605', NULL);


--
-- Data for Name: deliveries; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: instance_actor; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.instance_actor VALUES (1, '-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2r+GS6MzFyb/D7z3Y/69
4xj+MBwQnCVb2+I2uKJQI2v6ICFEV99yRM4Ognmem6mc9GrIjScZK290kebjGxtI
z4Ti/wlpTDkVKDBEVWdDsO5N/pQKGhY7x5hqDop3hwH4+QRyw0pR60G/0pCRVMts
nDnpEkpP4eTRxoSEF+wsxMnpP/X810wO1hg3O8TLUGQy7gcKvXz27ccLXgqAq3CJ
Ya+6ZgU7Qa46AtmKPAHg3cTHZc89qo7k8U8CpnaLAAU1c5sXP0vM//rsmG7RsH0M
RmrWetZ47gniPSjbmomE/Mfiuot86Tat4SvYu+aYY6r0zJ2XvJYK1COuq9SVXrFp
UwIDAQAB
-----END PUBLIC KEY-----
', '-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDav4ZLozMXJv8P
vPdj/r3jGP4wHBCcJVvb4ja4olAja/ogIURX33JEzg6CeZ6bqZz0asiNJxkrb3SR
5uMbG0jPhOL/CWlMORUoMERVZ0Ow7k3+lAoaFjvHmGoOineHAfj5BHLDSlHrQb/S
kJFUy2ycOekSSk/h5NHGhIQX7CzEyek/9fzXTA7WGDc7xMtQZDLuBwq9fPbtxwte
CoCrcIlhr7pmBTtBrjoC2Yo8AeDdxMdlzz2qjuTxTwKmdosABTVzmxc/S8z/+uyY
btGwfQxGatZ61njuCeI9KNuaiYT8x+K6i3zpNq3hK9i75phjqvTMnZe8lgrUI66r
1JVesWlTAgMBAAECggEAAJvw7Uv+i+11X19Y1wPyFmxO5OZnG3A1MccO/POiwn59
+1HsZUw/fraOLsnU6b0OrVWQymfV95t/WRqp/jzUtpM5qJknnGk6SFreDdjURO1c
9T0HTCxMrVEc1n6HN66HOXZMNYQC92M+/ACgDvrkCglVP1JKp6fh96oNzh0/wKqH
9FUFGIZ3A3ikaZdnJuyC3hk9FmpiC4vRIGBxulo00SfSdAboyuPTnhEg3+BQa9lP
2zQxBfWgAMGQPSqXq3Dktgxs/pwN6+XQSqx3rQvC/QYeZCLXkilOAL10lx0tMr1q
YLDk0rvUbhMmMCdBlPkNxdtypimu4OV5zQzRJBe0aQKBgQD6ISmZszsICCCnK/4N
KeSLPpxBzpwxrxJUCW51r4H0mhH8yIfzadFLHMEODNUcono1fG7dzMvIcWIZTR9b
6xwTjuStYF6Kf0AifpYNieR0LFNQtHd3HLBCHlEAhvSQQB6eC+RDL+meIUgTZtMV
Fl88PkZ19zdk2cWfIhijI0TYGwKBgQDf4dCyVRPHEcgIXpa1RohdL55s1l8Sfrli
MXEczbvYThWFt6IBSVFZqAe8AJ6sKAbzYT5j3NpPKkPjamjyt4o77O/djBizfZgo
Gi8+3yTR6j+eqrDG5d1Aq+CCm0X29VAHg30fmB8+LH20EznCGptVFhizgCtj8A0g
VarYaIc3KQKBgQDyk5LKst1/DpLMTYfWsFgrCo9z6rHkJUt7IKJ1k75Ov9TN+JSQ
ZoFJfRtlSuCrIo+uq3zBskm3nO5sZzUQadUSyrPPyPQnEP3b9jQD8UUTvaEXVc2+
QJ5XoRshjcBE3UpUMGgxGJhSeShzWHdBri6yOBsRcK3SKrjTebe3Dw9HHQKBgQCx
jl39kQvGbYu/V4Ue73lmrkVu+/UarfZIsf2LYn7/5a2cBy8s5gDmoiTALZ2p23Tn
wM/CU32wG00MJ3BkTrwLGraBdoKAl7L82wdtTXveH3GlXKomlFcM20OLUaoDWjrG
OroZPIRKwu5OypCcKI3YxVWBxryi3dcLNeXxC7VxQQKBgGb7BBInwm1ZRFpT1FAn
UtCtMbYb5NInsVy+kVmTTOZeC2J2uLQ2l0uPYsuQxCjI15pUTbeoHkUROuDiuDdN
p7RlB3WPAUb1AX+PVSnLr5oLcI1BICfv1O1SR1mo4263J/tQIKXcyn/CoqUagzVR
0g5z69IP3tPQx8vK7dVSGGgj
-----END PRIVATE KEY-----
', '2026-12-02 02:13:11.076215');


--
-- Data for Name: instance_health; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: instance_policy; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: invitations; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: local_users; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.local_users VALUES (1, 1, 'ada@example.org', '$argon2id$v=19$m=19456,t=2,p=1$73x9R+7E+V246VFAUT8PRQ$b8G8YBB7JxEjTkd+ZtDU2epRYr0DPjgBJbhdZyfbGyU', true, true, '2026-12-02 02:13:14.949316');
INSERT INTO public.local_users VALUES (2, 2, 'bea@example.org', '$argon2id$v=19$m=19456,t=2,p=1$zboPByxDZlRM77F4MsIhcg$hHuEGn13IocMfZuvY5NAUKfMbd0ysBUQjJY9VUvrD1A', false, true, '2026-12-02 02:13:15.819205');
INSERT INTO public.local_users VALUES (3, 3, 'cy@example.org', '$argon2id$v=19$m=19456,t=2,p=1$25a+ay7rbBbQ39zsdUqzTw$rUZrLZRfMJUbsbbQ8Ov0gX80l8KbE5YprpwdT5Tv2KQ', false, true, '2026-12-02 02:13:16.355158');


--
-- Data for Name: mod_log; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: outbox_activities; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: outbox_events; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.outbox_events VALUES (1, '{"change":"PostCreated","post_id":1,"activity_id":null}', '2026-12-02 02:13:16.628694', '2026-12-02 02:13:16.689976', NULL, NULL);
INSERT INTO public.outbox_events VALUES (2, '{"change":"PostCreated","post_id":2,"activity_id":null}', '2026-12-02 02:13:16.705898', '2026-12-02 02:13:16.742292', NULL, NULL);
INSERT INTO public.outbox_events VALUES (3, '{"change":"CommentCreated","comment_id":1,"activity_id":null}', '2026-12-02 02:13:16.763655', '2026-12-02 02:13:16.78969', NULL, NULL);
INSERT INTO public.outbox_events VALUES (4, '{"change":"CommentCreated","comment_id":2,"activity_id":null}', '2026-12-02 02:13:16.797865', '2026-12-02 02:13:16.834118', NULL, NULL);
INSERT INTO public.outbox_events VALUES (5, '{"change":"VoteCast","voter_id":2,"object_ap_id":"http://localhost:8130/post/2","community_id":1,"score":1,"activity_id":"http://localhost:8130/activities/like/56b80f14516107293b31397c36c994a6"}', '2026-12-02 02:13:16.823005', '2026-12-02 02:13:16.862796', NULL, NULL);
INSERT INTO public.outbox_events VALUES (6, '{"change":"VoteCast","voter_id":3,"object_ap_id":"http://localhost:8130/post/2","community_id":1,"score":1,"activity_id":"http://localhost:8130/activities/like/8c2f9db5a826a77e4cfb43da6d544d8f"}', '2026-12-02 02:13:16.861647', '2026-12-02 02:13:16.876907', NULL, NULL);


--
-- Data for Name: persons; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.persons VALUES (1, 'http://localhost:8130/u/ada', 'ada', NULL, NULL, NULL, 'http://localhost:8130/u/ada/inbox', 'http://localhost:8130/inbox', '', NULL, true, '2026-12-02 02:13:14.903524', NULL, '2026-12-02 02:13:14.903524');
INSERT INTO public.persons VALUES (2, 'http://localhost:8130/u/bea', 'bea', NULL, NULL, NULL, 'http://localhost:8130/u/bea/inbox', 'http://localhost:8130/inbox', '', NULL, true, '2026-12-02 02:13:15.810859', NULL, '2026-12-02 02:13:15.810859');
INSERT INTO public.persons VALUES (3, 'http://localhost:8130/u/cy', 'cy', NULL, NULL, NULL, 'http://localhost:8130/u/cy/inbox', 'http://localhost:8130/inbox', '', NULL, true, '2026-12-02 02:13:16.350351', NULL, '2026-12-02 02:13:16.350351');


--
-- Data for Name: posts; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.posts VALUES (1, 'http://localhost:8130/post/1', 1, 1, 'Which yarn?', 'About **Which yarn?**', '<p>About <strong>Which yarn?</strong></p>
', true, '2026-12-02 02:13:16.624611', NULL, false, false, 0, false, false, '2026-12-02 02:13:16.624617');
INSERT INTO public.posts VALUES (2, 'http://localhost:8130/post/2', 1, 1, 'Warping a loom', 'About **Warping a loom**', '<p>About <strong>Warping a loom</strong></p>
', true, '2026-12-02 02:13:16.695045', NULL, false, false, 2, false, false, '2026-12-02 02:13:16.790369');


--
-- Data for Name: received_activities; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: reports; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: sessions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.sessions VALUES ('d4e839a706c970599424b20b6fd8229233f27d8263a315a279fd2f5c5db827b2', 1, '2026-12-02 02:13:15.571515', '2027-01-01 02:13:15.571066');
INSERT INTO public.sessions VALUES ('de40176dc0c56bd1c8e45b9b3a96ce390c5ef7e67519adecdd8dc4af9a1e40b8', 2, '2026-12-02 02:13:16.114769', '2027-01-01 02:13:16.113689');
INSERT INTO public.sessions VALUES ('fe595f46c9c0d2bc9f3ae8a846ac072ea01992282fdc2b7e12a97ce6a1506108', 3, '2026-12-02 02:13:16.592396', '2027-01-01 02:13:16.592093');


--
-- Data for Name: tombstones; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: votes; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.votes VALUES (2, 'http://localhost:8130/post/2', 1, 'http://localhost:8130/activities/like/56b80f14516107293b31397c36c994a6', '2026-12-02 02:13:16.813577');
INSERT INTO public.votes VALUES (3, 'http://localhost:8130/post/2', 1, 'http://localhost:8130/activities/like/8c2f9db5a826a77e4cfb43da6d544d8f', '2026-12-02 02:13:16.853083');


--
-- Name: comments_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.comments_id_seq', 2, true);


--
-- Name: communities_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.communities_id_seq', 1, true);


--
-- Name: deliveries_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.deliveries_id_seq', 1, false);


--
-- Name: local_users_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.local_users_id_seq', 3, true);


--
-- Name: mod_log_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.mod_log_id_seq', 1, false);


--
-- Name: outbox_activities_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.outbox_activities_id_seq', 1, false);


--
-- Name: outbox_events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.outbox_events_id_seq', 6, true);


--
-- Name: persons_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.persons_id_seq', 3, true);


--
-- Name: posts_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.posts_id_seq', 2, true);


--
-- Name: reports_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.reports_id_seq', 1, false);


--
-- Name: __diesel_schema_migrations __diesel_schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.__diesel_schema_migrations
    ADD CONSTRAINT __diesel_schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: actor_names actor_names_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.actor_names
    ADD CONSTRAINT actor_names_pkey PRIMARY KEY (name);


--
-- Name: comments comments_ap_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_ap_id_key UNIQUE (ap_id);


--
-- Name: comments comments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_pkey PRIMARY KEY (id);


--
-- Name: communities communities_ap_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.communities
    ADD CONSTRAINT communities_ap_id_key UNIQUE (ap_id);


--
-- Name: communities communities_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.communities
    ADD CONSTRAINT communities_pkey PRIMARY KEY (id);


--
-- Name: community_bans community_bans_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.community_bans
    ADD CONSTRAINT community_bans_pkey PRIMARY KEY (community_id, person_id);


--
-- Name: community_members community_members_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.community_members
    ADD CONSTRAINT community_members_pkey PRIMARY KEY (community_id, person_id);


--
-- Name: deliveries deliveries_activity_id_inbox_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deliveries
    ADD CONSTRAINT deliveries_activity_id_inbox_key UNIQUE (activity_id, inbox);


--
-- Name: deliveries deliveries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deliveries
    ADD CONSTRAINT deliveries_pkey PRIMARY KEY (id);


--
-- Name: instance_actor instance_actor_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.instance_actor
    ADD CONSTRAINT instance_actor_pkey PRIMARY KEY (id);


--
-- Name: instance_health instance_health_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.instance_health
    ADD CONSTRAINT instance_health_pkey PRIMARY KEY (host);


--
-- Name: instance_policy instance_policy_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.instance_policy
    ADD CONSTRAINT instance_policy_pkey PRIMARY KEY (host);


--
-- Name: invitations invitations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_pkey PRIMARY KEY (community_id, person_id);


--
-- Name: local_users local_users_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.local_users
    ADD CONSTRAINT local_users_email_key UNIQUE (email);


--
-- Name: local_users local_users_person_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.local_users
    ADD CONSTRAINT local_users_person_id_key UNIQUE (person_id);


--
-- Name: local_users local_users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.local_users
    ADD CONSTRAINT local_users_pkey PRIMARY KEY (id);


--
-- Name: mod_log mod_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mod_log
    ADD CONSTRAINT mod_log_pkey PRIMARY KEY (id);


--
-- Name: outbox_activities outbox_activities_ap_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_activities
    ADD CONSTRAINT outbox_activities_ap_id_key UNIQUE (ap_id);


--
-- Name: outbox_activities outbox_activities_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_activities
    ADD CONSTRAINT outbox_activities_pkey PRIMARY KEY (id);


--
-- Name: outbox_events outbox_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_events
    ADD CONSTRAINT outbox_events_pkey PRIMARY KEY (id);


--
-- Name: persons persons_ap_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_ap_id_key UNIQUE (ap_id);


--
-- Name: persons persons_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_pkey PRIMARY KEY (id);


--
-- Name: posts posts_ap_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.posts
    ADD CONSTRAINT posts_ap_id_key UNIQUE (ap_id);


--
-- Name: posts posts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.posts
    ADD CONSTRAINT posts_pkey PRIMARY KEY (id);


--
-- Name: received_activities received_activities_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.received_activities
    ADD CONSTRAINT received_activities_pkey PRIMARY KEY (ap_id);


--
-- Name: reports reports_ap_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_ap_id_key UNIQUE (ap_id);


--
-- Name: reports reports_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_pkey PRIMARY KEY (id);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (token_hash);


--
-- Name: tombstones tombstones_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tombstones
    ADD CONSTRAINT tombstones_pkey PRIMARY KEY (ap_id);


--
-- Name: votes votes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.votes
    ADD CONSTRAINT votes_pkey PRIMARY KEY (person_id, object_ap_id);


--
-- Name: comments_post_live; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX comments_post_live ON public.comments USING btree (post_id, deleted);


--
-- Name: communities_local_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX communities_local_name ON public.communities USING btree (name) WHERE local;


--
-- Name: community_members_follow; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX community_members_follow ON public.community_members USING btree (follow_id);


--
-- Name: community_members_person; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX community_members_person ON public.community_members USING btree (person_id);


--
-- Name: deliveries_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deliveries_due ON public.deliveries USING btree (state, next_attempt_at);


--
-- Name: deliveries_order; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deliveries_order ON public.deliveries USING btree (host, object_key, id);


--
-- Name: mod_log_community; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX mod_log_community ON public.mod_log USING btree (community_id, id);


--
-- Name: outbox_events_pending; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_events_pending ON public.outbox_events USING btree (planned_at, id);


--
-- Name: persons_local_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX persons_local_name ON public.persons USING btree (name) WHERE local;


--
-- Name: posts_community_activity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX posts_community_activity ON public.posts USING btree (community_id, last_activity_at, id);


--
-- Name: posts_community_new; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX posts_community_new ON public.posts USING btree (community_id, id);


--
-- Name: posts_community_top; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX posts_community_top ON public.posts USING btree (community_id, score, id);


--
-- Name: received_activities_received_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX received_activities_received_at ON public.received_activities USING btree (received_at);


--
-- Name: reports_community; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reports_community ON public.reports USING btree (community_id, id);


--
-- Name: sessions_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_user ON public.sessions USING btree (local_user_id);


--
-- Name: votes_activity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX votes_activity ON public.votes USING btree (activity_id);


--
-- Name: votes_object; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX votes_object ON public.votes USING btree (object_ap_id);


--
-- Name: comments comments_author_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_author_id_fkey FOREIGN KEY (author_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: comments comments_parent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.comments(id) ON DELETE CASCADE;


--
-- Name: comments comments_post_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comments
    ADD CONSTRAINT comments_post_id_fkey FOREIGN KEY (post_id) REFERENCES public.posts(id) ON DELETE CASCADE;


--
-- Name: community_bans community_bans_community_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.community_bans
    ADD CONSTRAINT community_bans_community_id_fkey FOREIGN KEY (community_id) REFERENCES public.communities(id) ON DELETE CASCADE;


--
-- Name: community_bans community_bans_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.community_bans
    ADD CONSTRAINT community_bans_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: community_members community_members_community_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.community_members
    ADD CONSTRAINT community_members_community_id_fkey FOREIGN KEY (community_id) REFERENCES public.communities(id) ON DELETE CASCADE;


--
-- Name: community_members community_members_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.community_members
    ADD CONSTRAINT community_members_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: deliveries deliveries_activity_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deliveries
    ADD CONSTRAINT deliveries_activity_id_fkey FOREIGN KEY (activity_id) REFERENCES public.outbox_activities(id) ON DELETE CASCADE;


--
-- Name: invitations invitations_community_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_community_id_fkey FOREIGN KEY (community_id) REFERENCES public.communities(id) ON DELETE CASCADE;


--
-- Name: invitations invitations_invited_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: invitations invitations_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: local_users local_users_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.local_users
    ADD CONSTRAINT local_users_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: mod_log mod_log_community_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mod_log
    ADD CONSTRAINT mod_log_community_id_fkey FOREIGN KEY (community_id) REFERENCES public.communities(id) ON DELETE CASCADE;


--
-- Name: mod_log mod_log_moderator_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mod_log
    ADD CONSTRAINT mod_log_moderator_id_fkey FOREIGN KEY (moderator_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: mod_log mod_log_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mod_log
    ADD CONSTRAINT mod_log_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id) ON DELETE SET NULL;


--
-- Name: posts posts_author_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.posts
    ADD CONSTRAINT posts_author_id_fkey FOREIGN KEY (author_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: posts posts_community_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.posts
    ADD CONSTRAINT posts_community_id_fkey FOREIGN KEY (community_id) REFERENCES public.communities(id) ON DELETE CASCADE;


--
-- Name: reports reports_community_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_community_id_fkey FOREIGN KEY (community_id) REFERENCES public.communities(id) ON DELETE CASCADE;


--
-- Name: reports reports_reporter_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_reporter_id_fkey FOREIGN KEY (reporter_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- Name: reports reports_resolved_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_resolved_by_fkey FOREIGN KEY (resolved_by) REFERENCES public.persons(id) ON DELETE SET NULL;


--
-- Name: sessions sessions_local_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_local_user_id_fkey FOREIGN KEY (local_user_id) REFERENCES public.local_users(id) ON DELETE CASCADE;


--
-- Name: votes votes_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.votes
    ADD CONSTRAINT votes_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.persons(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


