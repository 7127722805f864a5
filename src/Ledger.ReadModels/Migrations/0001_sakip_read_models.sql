-- readmodels/0001: the SAKIP read models (issue 4). Every table is rebuilt from the log; nothing here is a source of
-- truth. Written only by the projections in Ledger.ReadModels (see docs/read-models.md for each table and example SQL).
-- Numbers are numeric at full precision (C# decimal, computed by Ledger.Domain.Reading exactly as the HTTP reads);
-- *_display columns are rounded half-up to 2 places as shown to people.

-- projection sakip-state: one row per indicator of the Renstra covering the year (GET …/indicators/{code}?year=Y).
CREATE TABLE readmodel.indicator_state (
    agency                      text    NOT NULL,
    year                        int     NOT NULL,
    indicator                   text    NOT NULL,
    name                        text    NOT NULL,
    unit                        text    NOT NULL,
    polarity                    text    NOT NULL,
    lower_formula               text,
    aggregation                 text    NOT NULL,
    level                       text    NOT NULL,
    kind                        text    NOT NULL,
    parent                      text,
    renstra_period_start        int     NOT NULL,
    target_renstra              numeric,
    target_renstra_revised      boolean NOT NULL,
    target_pk_murni             numeric,
    target_pk                   numeric,
    target_source               text    NOT NULL,
    target_in_force             numeric,
    realization_q1              numeric,
    realization_q2              numeric,
    realization_q3              numeric,
    realization_q4              numeric,
    realization_s1              numeric,
    realization_s2              numeric,
    realization_y               numeric,
    annual_value                numeric,
    capaian                     numeric,
    capaian_display             numeric,
    capaian_method              text,
    capaian_not_computed_reason text,
    capaian_policy              text    NOT NULL,
    predikat                    text,
    rating_scale                text,
    claimed_capaian             numeric,
    PRIMARY KEY (agency, year, indicator)
);

-- projection sakip-state: the LKjIP measurement table (GET …/performance/{year}), one row per indicator that has a
-- target or a realization in the year; prev_* is the year before; progress compares with the Renstra end target.
CREATE TABLE readmodel.lkjip_rows (
    agency                      text    NOT NULL,
    year                        int     NOT NULL,
    indicator                   text    NOT NULL,
    ordinal                     int     NOT NULL,
    name                        text    NOT NULL,
    unit                        text    NOT NULL,
    polarity                    text    NOT NULL,
    level                       text    NOT NULL,
    kind                        text    NOT NULL,
    parent                      text,
    target                      numeric,
    target_source               text    NOT NULL,
    realization                 numeric,
    capaian                     numeric,
    capaian_display             numeric,
    capaian_method              text,
    capaian_not_computed_reason text,
    predikat                    text,
    prev_target                 numeric,
    prev_target_source          text,
    prev_realization            numeric,
    prev_capaian                numeric,
    prev_capaian_display        numeric,
    prev_predikat               text,
    end_target                  numeric,
    progress_to_end_target      numeric,
    progress_method             text,
    PRIMARY KEY (agency, year, indicator)
);

-- projection sakip-state: APBD lines with pagu murni, pagu (after revisions), spending (own and below) and absorption.
CREATE TABLE readmodel.budget_lines (
    agency           text    NOT NULL,
    year             int     NOT NULL,
    code             text    NOT NULL,
    ordinal          int     NOT NULL,
    name             text    NOT NULL,
    parent           text,
    pagu_murni       numeric NOT NULL,
    pagu             numeric NOT NULL,
    spent_direct     numeric NOT NULL,
    spent            numeric NOT NULL,
    spending_entries int     NOT NULL,
    absorption       numeric,
    efficiency       numeric NOT NULL,
    exceeds_pagu     boolean NOT NULL,
    PRIMARY KEY (agency, year, code)
);

-- projection sakip-state: one row per agency-year that has a stream or is covered by a Renstra: the year stream's
-- version (the HTTP reads' ETag), close state, the plan and scale in force, and the LKjIP budget totals (root lines).
CREATE TABLE readmodel.performance_years (
    agency               text    NOT NULL,
    year                 int     NOT NULL,
    stream_version       bigint  NOT NULL,
    closed               boolean NOT NULL,
    snapshot_hash        text,
    renstra_period_start int,
    rating_scale         text,
    pk_versions          int     NOT NULL,
    budget_revisions     int     NOT NULL,
    pagu_murni           numeric NOT NULL,
    pagu                 numeric NOT NULL,
    spent                numeric NOT NULL,
    absorption           numeric,
    efficiency           numeric NOT NULL,
    PRIMARY KEY (agency, year)
);

-- projection sakip-history: every change to an indicator's targets or realizations, one row per indicator touched.
CREATE TABLE readmodel.indicator_history (
    seq              bigint      NOT NULL,
    item             int         NOT NULL,
    event_id         uuid        NOT NULL,
    event_type       text        NOT NULL,
    stream_id        text        NOT NULL,
    stream_version   bigint      NOT NULL,
    agency           text        NOT NULL,
    indicator        text        NOT NULL,
    change           text        NOT NULL,
    recorded_at      timestamptz NOT NULL,
    effective_year   int         NOT NULL,
    effective_period text,
    effective_on     date,
    actor            jsonb,
    reason           text,
    ground           text,
    legal_basis      text,
    before           numeric,
    after            numeric     NOT NULL,
    PRIMARY KEY (seq, item)
);
CREATE INDEX indicator_history_subject ON readmodel.indicator_history (agency, indicator, seq);

-- projection sakip-pk: every signed PK version (0 = murni, N = perubahan N) with its full target set.
CREATE TABLE readmodel.pk_versions (
    agency               text        NOT NULL,
    year                 int         NOT NULL,
    number               int         NOT NULL,
    kind                 text        NOT NULL CHECK (kind IN ('murni', 'perubahan')),
    signed_on            date        NOT NULL,
    signer               jsonb       NOT NULL,
    reason               text,
    ground               text,
    targets              jsonb       NOT NULL,
    changes              jsonb,
    actor                jsonb,
    recorded_at          timestamptz NOT NULL,
    event_id             uuid        NOT NULL,
    seq                  bigint      NOT NULL,
    PRIMARY KEY (agency, year, number)
);
CREATE INDEX pk_versions_seq ON readmodel.pk_versions (seq);
