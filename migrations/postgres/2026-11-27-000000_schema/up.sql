-- The whole domain of DESIGN.md §1, in the SQL that SQLite and PostgreSQL share.
-- The SQLite folder holds the same tables, columns and constraints; only the
-- events id (an auto-increment) is spelled differently.
-- Ids are UUID (v7, time-ordered) text. Money is integer minor units at a fixed
-- scale of two decimals, with its ISO 4217 code. Times are UTC.

CREATE TABLE coalitions (
    slug TEXT NOT NULL PRIMARY KEY CHECK (length(slug) BETWEEN 2 AND 64),
    kind TEXT NOT NULL CHECK (kind IN ('action_coalition', 'compact')),
    reference_prefix TEXT NOT NULL UNIQUE CHECK (length(reference_prefix) BETWEEN 2 AND 4),
    position INTEGER NOT NULL,
    submissions_open_on DATE NOT NULL,
    submissions_close_on DATE,
    period_start_year INTEGER NOT NULL CHECK (period_start_year BETWEEN 2000 AND 2100),
    period_end_year INTEGER NOT NULL CHECK (period_end_year BETWEEN 2000 AND 2100),
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (period_start_year <= period_end_year),
    CHECK (submissions_close_on IS NULL OR submissions_close_on >= submissions_open_on)
);

CREATE TABLE coalition_translations (
    coalition_slug TEXT NOT NULL REFERENCES coalitions (slug) ON DELETE CASCADE,
    lang TEXT NOT NULL CHECK (length(lang) BETWEEN 2 AND 3),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    description TEXT,
    PRIMARY KEY (coalition_slug, lang)
);

CREATE TABLE action_areas (
    coalition_slug TEXT NOT NULL REFERENCES coalitions (slug) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 99),
    PRIMARY KEY (coalition_slug, number)
);

CREATE TABLE action_area_translations (
    coalition_slug TEXT NOT NULL,
    number INTEGER NOT NULL,
    lang TEXT NOT NULL CHECK (length(lang) BETWEEN 2 AND 3),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    target TEXT,
    PRIMARY KEY (coalition_slug, number, lang),
    FOREIGN KEY (coalition_slug, number) REFERENCES action_areas (coalition_slug, number) ON DELETE CASCADE
);

CREATE TABLE organizations (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 300),
    constituency TEXT NOT NULL CHECK (constituency IN (
        'government', 'local_government', 'civil_society', 'womens_rights_org', 'youth_led',
        'private_sector', 'philanthropy', 'un_entity', 'multilateral', 'academia', 'other')),
    country TEXT NOT NULL CHECK (length(country) = 2 AND upper(country) = country),
    un_region TEXT CHECK (un_region IN (
        'africa', 'americas_caribbean', 'arab_states', 'asia_pacific', 'europe_central_asia')),
    website TEXT CHECK (length(website) <= 2000),
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organizations_constituency ON organizations (constituency, id);
CREATE INDEX organizations_country ON organizations (country, id);

CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    email TEXT NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coalition_lead', 'maker', 'viewer')),
    organization_id TEXT REFERENCES organizations (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    -- Tokens issued before this instant are refused (role change, deactivation).
    tokens_valid_after TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- A maker belongs to exactly one organization; nobody else belongs to one.
    CHECK ((role = 'maker') = (organization_id IS NOT NULL))
);
CREATE INDEX users_organization ON users (organization_id);
CREATE INDEX users_role ON users (role, id);

-- The coalitions a coalition_lead is scoped to.
CREATE TABLE user_coalitions (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    coalition_slug TEXT NOT NULL REFERENCES coalitions (slug),
    PRIMARY KEY (user_id, coalition_slug)
);
CREATE INDEX user_coalitions_coalition ON user_coalitions (coalition_slug);

CREATE TABLE expressions_of_interest (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    coalition_slug TEXT NOT NULL REFERENCES coalitions (slug),
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn')),
    motivation TEXT NOT NULL CHECK (length(motivation) <= 5000),
    contact_email TEXT NOT NULL CHECK (length(contact_email) BETWEEN 3 AND 254),
    decision_note TEXT CHECK (length(decision_note) <= 5000),
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    created_by TEXT NOT NULL REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((status IN ('accepted', 'declined')) = (decided_at IS NOT NULL)),
    CHECK ((decided_at IS NULL) = (decided_by IS NULL))
);
-- At most one open (pending or accepted) expression per organization and coalition.
CREATE UNIQUE INDEX expressions_of_interest_open
    ON expressions_of_interest (organization_id, coalition_slug) WHERE status IN ('pending', 'accepted');
CREATE INDEX expressions_of_interest_coalition ON expressions_of_interest (coalition_slug, status, id);
CREATE INDEX expressions_of_interest_organization ON expressions_of_interest (organization_id, id);

CREATE TABLE expression_of_interest_action_areas (
    expression_of_interest_id TEXT NOT NULL REFERENCES expressions_of_interest (id) ON DELETE CASCADE,
    coalition_slug TEXT NOT NULL,
    number INTEGER NOT NULL,
    PRIMARY KEY (expression_of_interest_id, number),
    FOREIGN KEY (coalition_slug, number) REFERENCES action_areas (coalition_slug, number)
);

CREATE TABLE commitments (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    reference TEXT NOT NULL UNIQUE CHECK (length(reference) BETWEEN 6 AND 20),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    coalition_slug TEXT NOT NULL REFERENCES coalitions (slug),
    status TEXT NOT NULL CHECK (status IN (
        'draft', 'submitted', 'changes_requested', 'approved', 'rejected',
        'completion_claimed', 'completed', 'withdrawn')),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
    description TEXT NOT NULL CHECK (length(description) <= 20000),
    -- Hundredths of the currency unit; at most 10^15 units.
    pledge_amount_minor BIGINT CHECK (pledge_amount_minor BETWEEN 0 AND 100000000000000000),
    pledge_currency TEXT CHECK (length(pledge_currency) = 3 AND upper(pledge_currency) = pledge_currency),
    pledge_usd_minor BIGINT CHECK (pledge_usd_minor >= 0),
    start_year INTEGER NOT NULL CHECK (start_year BETWEEN 2000 AND 2100),
    end_year INTEGER NOT NULL CHECK (end_year BETWEEN 2000 AND 2100),
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_by TEXT NOT NULL REFERENCES users (id),
    submitted_at TIMESTAMP,
    approved_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (start_year <= end_year),
    CHECK ((pledge_amount_minor IS NULL) = (pledge_currency IS NULL)),
    CHECK ((pledge_amount_minor IS NULL) = (pledge_usd_minor IS NULL))
);
-- Keyset pagination walks ids (time-ordered UUIDs) inside each filter.
CREATE INDEX commitments_coalition_status ON commitments (coalition_slug, status, id);
CREATE INDEX commitments_status ON commitments (status, id);
CREATE INDEX commitments_organization ON commitments (organization_id, status, id);
CREATE INDEX commitments_updated ON commitments (updated_at, id);
CREATE INDEX commitments_years ON commitments (start_year, end_year);

CREATE TABLE commitment_action_areas (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    coalition_slug TEXT NOT NULL,
    number INTEGER NOT NULL,
    PRIMARY KEY (commitment_id, number),
    FOREIGN KEY (coalition_slug, number) REFERENCES action_areas (coalition_slug, number)
);
CREATE INDEX commitment_action_areas_area ON commitment_action_areas (coalition_slug, number, commitment_id);

CREATE TABLE commitment_types (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    commitment_type TEXT NOT NULL CHECK (commitment_type IN ('financial', 'policy', 'programmatic', 'advocacy')),
    PRIMARY KEY (commitment_id, commitment_type)
);
CREATE INDEX commitment_types_type ON commitment_types (commitment_type, commitment_id);

CREATE TABLE commitment_countries (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    country TEXT NOT NULL CHECK (length(country) = 2 AND upper(country) = country),
    PRIMARY KEY (commitment_id, country)
);
CREATE INDEX commitment_countries_country ON commitment_countries (country, commitment_id);

CREATE TABLE commitment_regions (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    region TEXT NOT NULL CHECK (length(region) BETWEEN 1 AND 100),
    PRIMARY KEY (commitment_id, region)
);
CREATE INDEX commitment_regions_region ON commitment_regions (region, commitment_id);

CREATE TABLE commitment_partners (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    PRIMARY KEY (commitment_id, position)
);

CREATE TABLE commitment_target_groups (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    PRIMARY KEY (commitment_id, position)
);

CREATE TABLE commitment_indicators (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    unit TEXT NOT NULL CHECK (length(unit) BETWEEN 1 AND 100),
    baseline DOUBLE PRECISION,
    target DOUBLE PRECISION,
    PRIMARY KEY (commitment_id, position),
    UNIQUE (commitment_id, name)
);

-- Numbers public references (TI-2026-0042) per coalition and year.
CREATE TABLE reference_counters (
    coalition_slug TEXT NOT NULL REFERENCES coalitions (slug),
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    last_number INTEGER NOT NULL CHECK (last_number >= 0),
    PRIMARY KEY (coalition_slug, year)
);

CREATE TABLE reviews (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    reviewer_id TEXT NOT NULL REFERENCES users (id),
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'request_changes', 'verify_completion')),
    comment TEXT NOT NULL CHECK (length(comment) <= 10000),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reviews_commitment ON reviews (commitment_id, created_at);

CREATE TABLE reporting_cycles (
    year INTEGER NOT NULL PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    opens_on DATE NOT NULL,
    closes_on DATE NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (opens_on <= closes_on)
);

CREATE TABLE progress_reports (
    id TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    year INTEGER NOT NULL REFERENCES reporting_cycles (year),
    status TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'completed', 'stalled', 'cancelled')),
    percent_complete INTEGER NOT NULL CHECK (percent_complete BETWEEN 0 AND 100),
    disbursed_amount_minor BIGINT CHECK (disbursed_amount_minor BETWEEN 0 AND 100000000000000000),
    disbursed_currency TEXT CHECK (length(disbursed_currency) = 3 AND upper(disbursed_currency) = disbursed_currency),
    disbursed_usd_minor BIGINT CHECK (disbursed_usd_minor >= 0),
    people_reached BIGINT CHECK (people_reached >= 0),
    narrative TEXT NOT NULL CHECK (length(narrative) <= 20000),
    validation_status TEXT NOT NULL DEFAULT 'pending' CHECK (validation_status IN ('pending', 'validated', 'queried')),
    validation_note TEXT CHECK (length(validation_note) <= 10000),
    validated_by TEXT REFERENCES users (id),
    validated_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (commitment_id, year),
    CHECK ((disbursed_amount_minor IS NULL) = (disbursed_currency IS NULL)),
    CHECK ((disbursed_amount_minor IS NULL) = (disbursed_usd_minor IS NULL))
);
CREATE INDEX progress_reports_year ON progress_reports (year, commitment_id);

CREATE TABLE progress_indicator_actuals (
    progress_report_id TEXT NOT NULL REFERENCES progress_reports (id) ON DELETE CASCADE,
    indicator_name TEXT NOT NULL CHECK (length(indicator_name) BETWEEN 1 AND 300),
    actual DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (progress_report_id, indicator_name)
);

-- The audit trail and the dashboards' change feed: ids only ever grow.
CREATE TABLE events (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    subject_type TEXT NOT NULL CHECK (subject_type IN ('commitment', 'expression_of_interest', 'progress_report')),
    subject_id TEXT NOT NULL,
    commitment_id TEXT REFERENCES commitments (id) ON DELETE CASCADE,
    coalition_slug TEXT NOT NULL REFERENCES coalitions (slug),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    actor_id TEXT REFERENCES users (id),
    action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    from_status TEXT,
    to_status TEXT,
    reason TEXT CHECK (length(reason) <= 10000),
    is_public BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX events_subject ON events (subject_type, subject_id, id);
CREATE INDEX events_public ON events (is_public, id);

-- Replays of creating POSTs: the first response, kept per caller and key.
CREATE TABLE idempotency_keys (
    owner TEXT NOT NULL CHECK (length(owner) BETWEEN 1 AND 100),
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_method TEXT NOT NULL,
    request_path TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER NOT NULL CHECK (response_status BETWEEN 100 AND 599),
    response_headers TEXT NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (owner, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
