//! The portable schema: one description for SQLite and PostgreSQL.
//! Written by hand to match `migrations/*/…_schema/up.sql`; the `schema_matches`
//! tests load every table through it on whichever backend they run on.

diesel::table! {
    coalitions (slug) {
        slug -> Text,
        kind -> Text,
        reference_prefix -> Text,
        position -> Integer,
        submissions_open_on -> Date,
        submissions_close_on -> Nullable<Date>,
        period_start_year -> Integer,
        period_end_year -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    coalition_translations (coalition_slug, lang) {
        coalition_slug -> Text,
        lang -> Text,
        name -> Text,
        description -> Nullable<Text>,
    }
}

diesel::table! {
    action_areas (coalition_slug, number) {
        coalition_slug -> Text,
        number -> Integer,
    }
}

diesel::table! {
    action_area_translations (coalition_slug, number, lang) {
        coalition_slug -> Text,
        number -> Integer,
        lang -> Text,
        title -> Text,
        target -> Nullable<Text>,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        constituency -> Text,
        country -> Text,
        un_region -> Nullable<Text>,
        website -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        organization_id -> Nullable<Text>,
        active -> Bool,
        tokens_valid_after -> Timestamp,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_coalitions (user_id, coalition_slug) {
        user_id -> Text,
        coalition_slug -> Text,
    }
}

diesel::table! {
    expressions_of_interest (id) {
        id -> Text,
        organization_id -> Text,
        coalition_slug -> Text,
        status -> Text,
        motivation -> Text,
        contact_email -> Text,
        decision_note -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    expression_of_interest_action_areas (expression_of_interest_id, number) {
        expression_of_interest_id -> Text,
        coalition_slug -> Text,
        number -> Integer,
    }
}

diesel::table! {
    commitments (id) {
        id -> Text,
        reference -> Text,
        organization_id -> Text,
        coalition_slug -> Text,
        status -> Text,
        title -> Text,
        description -> Text,
        pledge_amount_minor -> Nullable<BigInt>,
        pledge_currency -> Nullable<Text>,
        pledge_usd_minor -> Nullable<BigInt>,
        start_year -> Integer,
        end_year -> Integer,
        version -> Integer,
        created_by -> Text,
        submitted_at -> Nullable<Timestamp>,
        approved_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        search_text -> Nullable<Text>,
    }
}

diesel::table! {
    commitment_action_areas (commitment_id, number) {
        commitment_id -> Text,
        coalition_slug -> Text,
        number -> Integer,
    }
}

diesel::table! {
    commitment_types (commitment_id, commitment_type) {
        commitment_id -> Text,
        commitment_type -> Text,
    }
}

diesel::table! {
    commitment_countries (commitment_id, country) {
        commitment_id -> Text,
        country -> Text,
    }
}

diesel::table! {
    commitment_regions (commitment_id, region) {
        commitment_id -> Text,
        region -> Text,
    }
}

diesel::table! {
    commitment_partners (commitment_id, position) {
        commitment_id -> Text,
        position -> Integer,
        name -> Text,
    }
}

diesel::table! {
    commitment_target_groups (commitment_id, position) {
        commitment_id -> Text,
        position -> Integer,
        name -> Text,
    }
}

diesel::table! {
    commitment_indicators (commitment_id, position) {
        commitment_id -> Text,
        position -> Integer,
        name -> Text,
        unit -> Text,
        baseline -> Nullable<Double>,
        target -> Nullable<Double>,
    }
}

diesel::table! {
    reference_counters (coalition_slug, year) {
        coalition_slug -> Text,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    reviews (id) {
        id -> Text,
        commitment_id -> Text,
        reviewer_id -> Text,
        decision -> Text,
        comment -> Text,
        from_status -> Text,
        to_status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reporting_cycles (year) {
        year -> Integer,
        opens_on -> Date,
        closes_on -> Date,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    progress_reports (id) {
        id -> Text,
        commitment_id -> Text,
        year -> Integer,
        status -> Text,
        percent_complete -> Integer,
        disbursed_amount_minor -> Nullable<BigInt>,
        disbursed_currency -> Nullable<Text>,
        disbursed_usd_minor -> Nullable<BigInt>,
        people_reached -> Nullable<BigInt>,
        narrative -> Text,
        validation_status -> Text,
        validation_note -> Nullable<Text>,
        validated_by -> Nullable<Text>,
        validated_at -> Nullable<Timestamp>,
        version -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    progress_indicator_actuals (progress_report_id, indicator_name) {
        progress_report_id -> Text,
        indicator_name -> Text,
        actual -> Double,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        subject_type -> Text,
        subject_id -> Text,
        commitment_id -> Nullable<Text>,
        coalition_slug -> Text,
        organization_id -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        reason -> Nullable<Text>,
        is_public -> Bool,
        created_at -> Timestamp,
        position -> Nullable<BigInt>,
    }
}

diesel::table! {
    idempotency_keys (owner, idempotency_key) {
        owner -> Text,
        idempotency_key -> Text,
        request_method -> Text,
        request_path -> Text,
        request_hash -> Text,
        response_status -> Integer,
        response_headers -> Text,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(coalition_translations -> coalitions (coalition_slug));
diesel::joinable!(action_areas -> coalitions (coalition_slug));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(user_coalitions -> users (user_id));
diesel::joinable!(user_coalitions -> coalitions (coalition_slug));
diesel::joinable!(expressions_of_interest -> organizations (organization_id));
diesel::joinable!(expressions_of_interest -> coalitions (coalition_slug));
diesel::table! {
    fact_changes (seq) {
        seq -> BigInt,
        commitment_id -> Text,
        txid -> BigInt,
        noted_at -> Timestamp,
    }
}

diesel::table! {
    fact_switch (id) {
        id -> Integer,
        bulk -> Bool,
    }
}

diesel::joinable!(commitments -> organizations (organization_id));
diesel::joinable!(commitments -> coalitions (coalition_slug));
diesel::joinable!(commitment_action_areas -> commitments (commitment_id));
diesel::joinable!(commitment_types -> commitments (commitment_id));
diesel::joinable!(commitment_countries -> commitments (commitment_id));
diesel::joinable!(commitment_regions -> commitments (commitment_id));
diesel::joinable!(commitment_partners -> commitments (commitment_id));
diesel::joinable!(commitment_target_groups -> commitments (commitment_id));
diesel::joinable!(commitment_indicators -> commitments (commitment_id));
diesel::joinable!(reviews -> commitments (commitment_id));
diesel::joinable!(progress_reports -> commitments (commitment_id));
diesel::joinable!(progress_reports -> reporting_cycles (year));
diesel::joinable!(progress_indicator_actuals -> progress_reports (progress_report_id));

diesel::allow_tables_to_appear_in_same_query!(
    coalitions,
    coalition_translations,
    action_areas,
    action_area_translations,
    organizations,
    users,
    user_coalitions,
    expressions_of_interest,
    expression_of_interest_action_areas,
    commitments,
    commitment_action_areas,
    commitment_types,
    commitment_countries,
    commitment_regions,
    commitment_partners,
    commitment_target_groups,
    commitment_indicators,
    reference_counters,
    reviews,
    reporting_cycles,
    progress_reports,
    progress_indicator_actuals,
    fact_changes,
    fact_switch,
    events,
    idempotency_keys,
);
