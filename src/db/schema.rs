//! Diesel table definitions, kept by hand in step with `migrations/` (a test checks that both
//! backends' migrated schemas match these columns).

diesel::table! {
    actor_names (name) {
        name -> Text,
        kind -> Text,
    }
}

diesel::table! {
    persons (id) {
        id -> BigInt,
        ap_id -> Text,
        name -> Text,
        display_name -> Nullable<Text>,
        summary_md -> Nullable<Text>,
        summary_html -> Nullable<Text>,
        inbox_url -> Text,
        shared_inbox_url -> Nullable<Text>,
        public_key -> Text,
        private_key -> Nullable<Text>,
        local -> Bool,
        published -> Timestamp,
        updated -> Nullable<Timestamp>,
        last_refreshed_at -> Timestamp,
    }
}

diesel::table! {
    local_users (id) {
        id -> BigInt,
        person_id -> BigInt,
        email -> Text,
        password_hash -> Text,
        is_admin -> Bool,
        approved -> Bool,
        created_at -> Timestamp,
        suspended_at -> Nullable<Timestamp>,
        suspension_reason -> Nullable<Text>,
        email_confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    account_tokens (token_hash) {
        token_hash -> Text,
        local_user_id -> BigInt,
        purpose -> Text,
        email -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    mail_queue (id) {
        id -> BigInt,
        recipient -> Text,
        kind -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        unsubscribe_url -> Nullable<Text>,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        local_user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    feed_tokens (local_user_id) {
        local_user_id -> BigInt,
        token -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    communities (id) {
        id -> BigInt,
        ap_id -> Text,
        name -> Text,
        title -> Text,
        summary_md -> Text,
        summary_html -> Text,
        purpose -> Text,
        domain -> Text,
        practice -> Text,
        meeting_cadence -> Text,
        code_of_conduct_md -> Text,
        code_of_conduct_html -> Text,
        membership_policy -> Text,
        visibility -> Text,
        posting_restricted_to_mods -> Bool,
        questions -> Text,
        inbox_url -> Text,
        shared_inbox_url -> Nullable<Text>,
        followers_url -> Nullable<Text>,
        public_key -> Text,
        private_key -> Nullable<Text>,
        local -> Bool,
        published -> Timestamp,
        updated -> Nullable<Timestamp>,
        last_refreshed_at -> Timestamp,
        events_by -> Text,
        also_known_as -> Text,
        moved_to -> Nullable<Text>,
    }
}

diesel::table! {
    community_members (community_id, person_id) {
        community_id -> BigInt,
        person_id -> BigInt,
        role -> Text,
        state -> Text,
        answers -> Nullable<Text>,
        created_at -> Timestamp,
        follow_id -> Nullable<Text>,
    }
}

diesel::table! {
    received_activities (ap_id) {
        ap_id -> Text,
        received_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    instance_actor (id) {
        id -> BigInt,
        public_key -> Text,
        private_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    posts (id) {
        id -> BigInt,
        ap_id -> Text,
        community_id -> BigInt,
        author_id -> BigInt,
        title -> Text,
        body_md -> Text,
        body_html -> Text,
        local -> Bool,
        published -> Timestamp,
        updated -> Nullable<Timestamp>,
        locked -> Bool,
        deleted -> Bool,
        score -> BigInt,
        pinned -> Bool,
        removed -> Bool,
        last_activity_at -> Timestamp,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        ap_id -> Text,
        post_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        author_id -> BigInt,
        body_md -> Text,
        body_html -> Text,
        local -> Bool,
        published -> Timestamp,
        updated -> Nullable<Timestamp>,
        deleted -> Bool,
        score -> BigInt,
        removed -> Bool,
    }
}

diesel::table! {
    votes (person_id, object_ap_id) {
        person_id -> BigInt,
        object_ap_id -> Text,
        score -> Integer,
        activity_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    community_bans (community_id, person_id) {
        community_id -> BigInt,
        person_id -> BigInt,
        reason -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mod_log (id) {
        id -> BigInt,
        community_id -> BigInt,
        moderator_id -> BigInt,
        action -> Text,
        person_id -> Nullable<BigInt>,
        object_ap_id -> Nullable<Text>,
        reason -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        ap_id -> Text,
        community_id -> BigInt,
        reporter_id -> BigInt,
        object_ap_id -> Text,
        reason -> Text,
        resolved_by -> Nullable<BigInt>,
        resolved_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invitations (community_id, person_id) {
        community_id -> BigInt,
        person_id -> BigInt,
        invited_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    instance_policy (host) {
        host -> Text,
        kind -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox_events (id) {
        id -> BigInt,
        event -> Text,
        created_at -> Timestamp,
        planned_at -> Nullable<Timestamp>,
        set_aside_at -> Nullable<Timestamp>,
        set_aside_reason -> Nullable<Text>,
    }
}

diesel::table! {
    outbox_activities (id) {
        id -> BigInt,
        ap_id -> Text,
        signer -> Text,
        object_key -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    deliveries (id) {
        id -> BigInt,
        activity_id -> BigInt,
        inbox -> Text,
        host -> Text,
        object_key -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    instance_health (host) {
        host -> Text,
        failing_since -> Nullable<Timestamp>,
        retry_at -> Nullable<Timestamp>,
        last_success_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    instance_software (host) {
        host -> Text,
        software -> Text,
        checked_at -> Timestamp,
    }
}

diesel::table! {
    tombstones (ap_id) {
        ap_id -> Text,
        deleted_at -> Timestamp,
    }
}

diesel::table! {
    events (post_id) {
        post_id -> BigInt,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        timezone -> Text,
        place_name -> Text,
        place_address -> Text,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        online_url -> Text,
        online_url_public -> Bool,
        capacity -> Nullable<BigInt>,
        join_mode -> Text,
        external_url -> Text,
        status -> Text,
        participant_count -> BigInt,
        notes_md -> Text,
        notes_html -> Text,
        series_id -> Nullable<BigInt>,
        series_start -> Nullable<Timestamp>,
        detached -> Bool,
        agenda_md -> Text,
        agenda_html -> Text,
    }
}

diesel::table! {
    event_series (id) {
        id -> BigInt,
        community_id -> BigInt,
        author_id -> BigInt,
        title -> Text,
        body_md -> Text,
        rrule -> Text,
        exdates -> Text,
        first_local -> Timestamp,
        duration_minutes -> BigInt,
        timezone -> Text,
        place_name -> Text,
        place_address -> Text,
        online_url -> Text,
        online_url_public -> Bool,
        capacity -> Nullable<BigInt>,
        join_mode -> Text,
        external_url -> Text,
        finished -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    event_attendance (post_id, person_id) {
        post_id -> BigInt,
        person_id -> BigInt,
    }
}

diesel::table! {
    event_rsvps (post_id, person_id) {
        post_id -> BigInt,
        person_id -> BigInt,
        state -> Text,
        activity_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    event_organizers (post_id, person_id) {
        post_id -> BigInt,
        person_id -> BigInt,
    }
}

diesel::table! {
    digest_settings (local_user_id) {
        local_user_id -> BigInt,
        frequency -> Text,
        hour -> Integer,
        timezone -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    digest_overrides (local_user_id, community_id) {
        local_user_id -> BigInt,
        community_id -> BigInt,
        frequency -> Text,
    }
}

diesel::table! {
    digest_runs (local_user_id, frequency, period) {
        local_user_id -> BigInt,
        frequency -> Text,
        period -> Text,
        mailed -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    community_digests (community_id) {
        community_id -> BigInt,
        federate -> Bool,
        last_period -> Nullable<Text>,
        article_id -> Nullable<Text>,
        article_name -> Nullable<Text>,
        article_html -> Nullable<Text>,
        article_published -> Nullable<Timestamp>,
    }
}

diesel::table! {
    polls (post_id) {
        post_id -> BigInt,
        multiple -> Bool,
        closes_at -> Nullable<Timestamp>,
        voters_count -> BigInt,
        results_dirty -> Bool,
        results_sent_at -> Nullable<Timestamp>,
        closed_sent -> Bool,
    }
}

diesel::table! {
    poll_options (id) {
        id -> BigInt,
        post_id -> BigInt,
        position -> BigInt,
        name -> Text,
        votes -> BigInt,
    }
}

diesel::table! {
    poll_votes (id) {
        id -> BigInt,
        post_id -> BigInt,
        option_id -> BigInt,
        person_id -> BigInt,
        ap_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    surveys (id) {
        id -> BigInt,
        community_id -> BigInt,
        author_id -> BigInt,
        title -> Text,
        intro -> Text,
        anonymous -> Bool,
        closes_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    survey_questions (id) {
        id -> BigInt,
        survey_id -> BigInt,
        position -> BigInt,
        kind -> Text,
        prompt -> Text,
        required -> Bool,
        options -> Text,
    }
}

diesel::table! {
    survey_respondents (survey_id, person_id) {
        survey_id -> BigInt,
        person_id -> BigInt,
        response_id -> Nullable<Text>,
    }
}

diesel::table! {
    survey_answers (id) {
        id -> Text,
        survey_id -> BigInt,
        question_id -> BigInt,
        response_id -> Nullable<Text>,
        choice -> Nullable<BigInt>,
        scale -> Nullable<BigInt>,
        answer_text -> Nullable<Text>,
    }
}

diesel::joinable!(deliveries -> outbox_activities (activity_id));
diesel::joinable!(local_users -> persons (person_id));
diesel::joinable!(posts -> communities (community_id));
diesel::joinable!(event_sources -> communities (community_id));
diesel::joinable!(posts -> persons (author_id));
diesel::joinable!(comments -> posts (post_id));
diesel::joinable!(comments -> persons (author_id));
diesel::joinable!(sessions -> local_users (local_user_id));
diesel::joinable!(feed_tokens -> local_users (local_user_id));
diesel::joinable!(account_tokens -> local_users (local_user_id));
diesel::joinable!(community_members -> communities (community_id));
diesel::joinable!(community_members -> persons (person_id));
diesel::joinable!(events -> posts (post_id));
diesel::joinable!(polls -> posts (post_id));
diesel::joinable!(poll_options -> polls (post_id));
diesel::joinable!(poll_votes -> poll_options (option_id));
diesel::joinable!(poll_votes -> persons (person_id));
diesel::joinable!(surveys -> communities (community_id));
diesel::joinable!(survey_questions -> surveys (survey_id));
diesel::joinable!(events -> event_series (series_id));
diesel::joinable!(event_series -> communities (community_id));
diesel::joinable!(event_rsvps -> persons (person_id));
diesel::joinable!(event_rsvps -> events (post_id));
diesel::joinable!(event_organizers -> events (post_id));
diesel::joinable!(event_attendance -> events (post_id));
diesel::joinable!(event_attendance -> persons (person_id));
diesel::joinable!(event_organizers -> persons (person_id));

diesel::table! {
    login_throttles (kind, key) {
        kind -> Text,
        key -> Text,
        failures -> Integer,
        window_start -> Nullable<Timestamp>,
        in_flight -> Integer,
        in_flight_until -> Nullable<Timestamp>,
        lockouts -> Integer,
        locked_until -> Nullable<Timestamp>,
        last_failure -> Nullable<Timestamp>,
        forget_after -> Timestamp,
    }
}

diesel::table! {
    state_versions (name) {
        name -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        local_user_id -> BigInt,
        kind -> Text,
        actor_id -> Nullable<BigInt>,
        community_id -> Nullable<BigInt>,
        post_id -> Nullable<BigInt>,
        comment_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    event_sources (id) {
        id -> BigInt,
        community_id -> BigInt,
        person_id -> BigInt,
        follow_id -> Text,
        state -> Text,
        added_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mail_opt_outs (local_user_id, topic) {
        local_user_id -> BigInt,
        topic -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    membership_events (id) {
        id -> BigInt,
        community_id -> BigInt,
        person_id -> BigInt,
        kind -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    health_snapshots (id) {
        id -> BigInt,
        community_id -> Nullable<BigInt>,
        day -> Text,
        figures -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(membership_events -> communities (community_id));
diesel::joinable!(health_snapshots -> communities (community_id));
diesel::joinable!(notifications -> local_users (local_user_id));
diesel::joinable!(notifications -> persons (actor_id));
diesel::joinable!(notifications -> communities (community_id));
diesel::joinable!(notifications -> posts (post_id));
diesel::joinable!(mail_opt_outs -> local_users (local_user_id));
diesel::joinable!(digest_settings -> local_users (local_user_id));
diesel::joinable!(digest_overrides -> communities (community_id));

diesel::table! {
    community_links (community_id, target_id) {
        community_id -> BigInt,
        target_id -> BigInt,
        relation -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    post_communities (post_id, community_id) {
        post_id -> BigInt,
        community_id -> BigInt,
        shared_by -> Nullable<BigInt>,
        announce_id -> Text,
        created_at -> Timestamp,
        removed -> Bool,
        removed_at -> Nullable<Timestamp>,
        removed_by -> Nullable<BigInt>,
    }
}

diesel::joinable!(post_communities -> posts (post_id));
diesel::joinable!(post_communities -> communities (community_id));

diesel::allow_tables_to_appear_in_same_query!(
    actor_names,
    persons,
    local_users,
    sessions,
    feed_tokens,
    account_tokens,
    mail_queue,
    communities,
    community_members,
    instance_actor,
    received_activities,
    posts,
    comments,
    votes,
    community_bans,
    mod_log,
    reports,
    invitations,
    outbox_events,
    outbox_activities,
    deliveries,
    instance_health,
    instance_software,
    tombstones,
    events,
    event_rsvps,
    event_organizers,
    event_attendance,
    event_series,
    login_throttles,
    state_versions,
    notifications,
    mail_opt_outs,
    digest_settings,
    digest_overrides,
    digest_runs,
    community_digests,
    event_sources,
    polls,
    poll_options,
    poll_votes,
    surveys,
    survey_questions,
    survey_respondents,
    survey_answers,
    membership_events,
    health_snapshots,
    library_settings,
    library_editors,
    library_pages,
    library_revisions,
    library_links,
    library_resources,
    library_files,
    community_links,
    post_communities,
    received_attachments,
);

diesel::table! {
    received_attachments (id) {
        id -> BigInt,
        post_id -> Nullable<BigInt>,
        comment_id -> Nullable<BigInt>,
        page_id -> Nullable<BigInt>,
        position -> Integer,
        url -> Text,
        name -> Text,
        media_type -> Text,
    }
}

diesel::joinable!(received_attachments -> posts (post_id));
diesel::joinable!(received_attachments -> comments (comment_id));
diesel::joinable!(received_attachments -> library_pages (page_id));

diesel::table! {
    library_settings (community_id) {
        community_id -> BigInt,
        edit_by -> Text,
    }
}

diesel::table! {
    library_editors (community_id, person_id) {
        community_id -> BigInt,
        person_id -> BigInt,
    }
}

diesel::table! {
    library_pages (id) {
        id -> BigInt,
        community_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        slug -> Text,
        ap_id -> Text,
        title -> Text,
        body_md -> Text,
        body_html -> Text,
        revision -> BigInt,
        last_editor_id -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        from_post_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    library_links (page_id, target_kind, target_id) {
        page_id -> BigInt,
        target_kind -> Text,
        target_id -> BigInt,
    }
}

diesel::table! {
    library_revisions (id) {
        id -> BigInt,
        page_id -> BigInt,
        number -> BigInt,
        author_id -> BigInt,
        title -> Text,
        body_md -> Text,
        summary -> Text,
        restored_from -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    library_resources (id) {
        id -> BigInt,
        community_id -> BigInt,
        page_id -> Nullable<BigInt>,
        kind -> Text,
        title -> Text,
        description -> Text,
        url -> Nullable<Text>,
        sha256 -> Nullable<Text>,
        file_name -> Nullable<Text>,
        media_type -> Nullable<Text>,
        size_bytes -> Nullable<BigInt>,
        added_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    library_files (sha256) {
        sha256 -> Text,
        size_bytes -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(library_resources -> library_pages (page_id));
diesel::joinable!(library_resources -> persons (added_by));
diesel::joinable!(library_revisions -> library_pages (page_id));
diesel::joinable!(library_revisions -> persons (author_id));
diesel::joinable!(library_editors -> persons (person_id));
diesel::joinable!(library_links -> library_pages (page_id));
diesel::joinable!(library_pages -> communities (community_id));
