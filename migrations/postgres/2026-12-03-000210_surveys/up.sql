-- Surveys (issue 16): several questions for a local community's members, local only. An
-- anonymous survey keeps who answered (`survey_respondents`, to refuse a second answer) apart
-- from the answers (`survey_answers`), which hold no person, no time and no sequential id: see
-- docs/SECURITY.md, "Anonymous surveys".
CREATE TABLE surveys (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    intro TEXT NOT NULL,
    -- Fixed at creation.
    anonymous BOOLEAN NOT NULL,
    closes_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX surveys_community ON surveys (community_id, created_at);

CREATE TABLE survey_questions (
    id BIGSERIAL PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    -- single, multiple, scale (1–5) or text.
    kind TEXT NOT NULL,
    prompt TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    -- A choice question's options, one per line (answers name them by their 0-based index).
    options TEXT NOT NULL
);
CREATE UNIQUE INDEX survey_questions_position ON survey_questions (survey_id, position);

-- Who answered (PostgreSQL keeps rows in heap order: see docs/SECURITY.md).
-- `response_id` joins a named survey's answers to the person; NULL in an anonymous survey.
CREATE TABLE survey_respondents (
    survey_id BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    response_id TEXT,
    PRIMARY KEY (survey_id, person_id)
);

-- One row per answer (per option chosen in a multiple-choice question). `id` is 128 random
-- bits; an anonymous survey's answers are rewritten in id order at each answer (docs/SECURITY.md).
CREATE TABLE survey_answers (
    id TEXT PRIMARY KEY NOT NULL,
    survey_id BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES survey_questions (id) ON DELETE CASCADE,
    -- A named survey's respondent (`survey_respondents.response_id`); NULL when anonymous.
    response_id TEXT,
    choice BIGINT,
    scale BIGINT,
    answer_text TEXT
);
CREATE INDEX survey_answers_question ON survey_answers (survey_id, question_id);
