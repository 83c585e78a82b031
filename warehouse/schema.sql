-- The warehouse of ../shared/CONTRACT.md. Every statement is idempotent: it runs at the start of
-- every write. Columns beyond the contract are additions (the contract allows adding).
-- Whole report texts (raw, cleaned, per section) are stored zstd-compressed: DuckDB's default
-- (dictionary + FSST) took 10 s per 450 MB at every checkpoint and made the raw stage at 100,000
-- reports 3x slower; zstd writes them in a tenth of the time into a quarter of the space.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS cleaned;
CREATE SCHEMA IF NOT EXISTS segmented;
CREATE SCHEMA IF NOT EXISTS metrics;
CREATE SCHEMA IF NOT EXISTS quality;
CREATE SCHEMA IF NOT EXISTS catalog;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS review;

CREATE TABLE IF NOT EXISTS raw.reports (
    report_id VARCHAR PRIMARY KEY,
    source_path VARCHAR NOT NULL,
    byte_size BIGINT NOT NULL,
    encoding VARCHAR NOT NULL,
    media_type VARCHAR NOT NULL,
    text VARCHAR NOT NULL USING COMPRESSION zstd,
    ingested_at TIMESTAMP NOT NULL
);
-- Every inbox file that became (or duplicated) a report: the link from files to report_id.
CREATE TABLE IF NOT EXISTS raw.report_files (
    source_path VARCHAR NOT NULL,
    report_id VARCHAR NOT NULL,
    byte_size BIGINT NOT NULL,
    seen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source_path, report_id)
);
CREATE TABLE IF NOT EXISTS raw.rejected_files (
    source_path VARCHAR NOT NULL,
    byte_size BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    detail VARCHAR,
    seen_at TIMESTAMP NOT NULL,
    content_sha256 VARCHAR
);

CREATE TABLE IF NOT EXISTS cleaned.reports (
    report_id VARCHAR PRIMARY KEY,
    text VARCHAR NOT NULL USING COMPRESSION zstd,
    doc_type VARCHAR NOT NULL,
    template VARCHAR,
    title VARCHAR,
    agency VARCHAR,
    province VARCHAR,
    city VARCHAR,
    county VARCHAR,
    report_year INTEGER,
    publish_date DATE,
    publish_date_precision VARCHAR,
    period_start DATE,
    period_end DATE,
    original_script VARCHAR NOT NULL,
    fixes VARCHAR[] NOT NULL,
    spam_spans INTEGER,
    garbled_spans INTEGER,
    garbled_sample VARCHAR,
    text_sha256 VARCHAR
);

CREATE TABLE IF NOT EXISTS segmented.sections (
    report_id VARCHAR NOT NULL,
    section_no INTEGER NOT NULL,
    parent_no INTEGER,
    level INTEGER NOT NULL,
    label VARCHAR NOT NULL,
    heading VARCHAR NOT NULL,
    topic VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    text VARCHAR USING COMPRESSION zstd,
    PRIMARY KEY (report_id, section_no)
);
CREATE TABLE IF NOT EXISTS segmented.tables (
    report_id VARCHAR NOT NULL,
    table_code VARCHAR NOT NULL,
    layout VARCHAR NOT NULL,
    section_no INTEGER,
    cells_expected INTEGER NOT NULL,
    cells_read INTEGER NOT NULL,
    cells_recovered INTEGER NOT NULL,
    start_char INTEGER,
    cells_missing VARCHAR[],
    PRIMARY KEY (report_id, table_code)
);
-- Every table cell read, with the line it came from: the table rows of metrics.report_metrics.
-- Unique on (report_id, metric) by construction (a stage replaces a report's rows whole), not by
-- an index: maintaining one cost two thirds of the time spent writing these rows.
CREATE TABLE IF NOT EXISTS segmented.table_cells (
    report_id VARCHAR NOT NULL,
    table_code VARCHAR NOT NULL,
    metric VARCHAR NOT NULL,
    value DOUBLE,
    unit VARCHAR NOT NULL,
    start_char INTEGER,
    evidence VARCHAR NOT NULL,
    section_no INTEGER
);

-- The prose rows of metrics.report_metrics (source 'text'): catalogue metrics read from sentences.
CREATE TABLE IF NOT EXISTS metrics.text_metrics (
    report_id VARCHAR NOT NULL,
    metric VARCHAR NOT NULL,
    value DOUBLE,
    unit VARCHAR NOT NULL,
    qualifier VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    section_no INTEGER,
    evidence VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS metrics.figures (
    report_id VARCHAR NOT NULL,
    section_no INTEGER,
    value DOUBLE,
    unit VARCHAR NOT NULL,
    qualifier VARCHAR NOT NULL,
    sentence VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    metric VARCHAR,
    PRIMARY KEY (report_id, start_char)
);
-- Forward-looking statements with their year (the years suite's PLAN_YEAR_MISMATCH reads them).
CREATE TABLE IF NOT EXISTS metrics.plans (
    report_id VARCHAR NOT NULL,
    plan_year INTEGER NOT NULL,
    plan_word VARCHAR NOT NULL,
    sentence VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    PRIMARY KEY (report_id, start_char)
);

CREATE TABLE IF NOT EXISTS quality.flags (
    report_id VARCHAR NOT NULL,
    suite VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    details JSON,
    run_id VARCHAR NOT NULL,
    checked_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS quality.validation_runs (
    run_id VARCHAR NOT NULL,
    suite VARCHAR NOT NULL,
    expectations INTEGER NOT NULL,
    evaluated_rows BIGINT NOT NULL,
    unexpected_rows BIGINT NOT NULL,
    success BOOLEAN NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    data_docs_path VARCHAR
);

CREATE TABLE IF NOT EXISTS catalog.metrics (
    metric VARCHAR PRIMARY KEY,
    table_code VARCHAR,
    row_code VARCHAR,
    col_code VARCHAR,
    label_zh VARCHAR NOT NULL,
    label_en VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    templates VARCHAR[] NOT NULL
);
CREATE TABLE IF NOT EXISTS catalog.rules (
    rule VARCHAR PRIMARY KEY,
    suite VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    description_zh VARCHAR NOT NULL,
    description_en VARCHAR NOT NULL
);

-- Which stage has processed which report, at which version of its code: what makes re-runs
-- incremental (a version bump in code re-derives that stage and everything after it).
CREATE TABLE IF NOT EXISTS meta.processed (
    stage VARCHAR NOT NULL,
    report_id VARCHAR NOT NULL,
    version VARCHAR NOT NULL,
    processed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (stage, report_id)
);

-- When the marts were last built, and by which definition (a digest of their SQL and settings):
-- the marts stage rebuilds them when stage rows were published after that, or the SQL changed.
CREATE TABLE IF NOT EXISTS meta.marts_built (
    built_at TIMESTAMP NOT NULL,
    definition VARCHAR NOT NULL
);

-- Every contract check a run made before publishing (warehouse/stages.py: check_contract): when,
-- from which earlier passing check its metric-key test was scoped (NULL: the whole warehouse), and
-- how many problems it found. A check that finds any keeps its run's warehouse unpublished.
CREATE TABLE IF NOT EXISTS meta.contract_checks (
    checked_at TIMESTAMP NOT NULL,
    scoped_since TIMESTAMP,
    problems BIGINT NOT NULL
);

-- Added after the first release: statements the reconciliation and years rules judge.
ALTER TABLE cleaned.reports ADD COLUMN IF NOT EXISTS title_year INTEGER;
ALTER TABLE cleaned.reports ADD COLUMN IF NOT EXISTS body_year INTEGER;
-- 共N…,其中a…、b…: a stated total and its parts (same unit).
CREATE TABLE IF NOT EXISTS metrics.totals (
    report_id VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    total DOUBLE NOT NULL,
    parts_sum DOUBLE NOT NULL,
    parts DOUBLE[] NOT NULL,
    unit VARCHAR NOT NULL,
    sentence VARCHAR NOT NULL,
    PRIMARY KEY (report_id, start_char)
);
-- N…,占X%: a share with the base the paragraph gives.
CREATE TABLE IF NOT EXISTS metrics.percents (
    report_id VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    part DOUBLE NOT NULL,
    base DOUBLE NOT NULL,
    percent DOUBLE NOT NULL,
    decimals INTEGER NOT NULL,
    unit VARCHAR NOT NULL,
    sentence VARCHAR NOT NULL,
    PRIMARY KEY (report_id, start_char)
);
-- Dates of things stated as done (plans and deadlines left out).
CREATE TABLE IF NOT EXISTS metrics.dated_statements (
    report_id VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    stated_date DATE NOT NULL,
    precision VARCHAR NOT NULL,
    sentence VARCHAR NOT NULL,
    PRIMARY KEY (report_id, start_char)
);
-- How glued rows were cut: the constraints that decided the cuts, and the rows left missing.
ALTER TABLE segmented.tables ADD COLUMN IF NOT EXISTS split_constraints VARCHAR[];
ALTER TABLE segmented.tables ADD COLUMN IF NOT EXISTS split_ambiguous VARCHAR[];

-- (path, size, mtime) of each file as read: the raw stage does not read such a file again.
ALTER TABLE raw.report_files ADD COLUMN IF NOT EXISTS mtime_ns BIGINT;
ALTER TABLE raw.rejected_files ADD COLUMN IF NOT EXISTS mtime_ns BIGINT;

-- The section each table cell stands in, decided where the cells are read.
ALTER TABLE segmented.table_cells ADD COLUMN IF NOT EXISTS section_no INTEGER;

-- The catalogue's own order of the metrics (a pivot lists table 3's columns as the template does).
ALTER TABLE catalog.metrics ADD COLUMN IF NOT EXISTS display_order INTEGER;

-- PDF and DOCX sources: their pages, and the page each figure stands on (NULL for text and HTML).
ALTER TABLE raw.reports ADD COLUMN IF NOT EXISTS page_count INTEGER;
-- Where each page starts in cleaned.reports.text (0 for the first page).
ALTER TABLE cleaned.reports ADD COLUMN IF NOT EXISTS page_starts INTEGER[];
ALTER TABLE segmented.table_cells ADD COLUMN IF NOT EXISTS page INTEGER;
ALTER TABLE metrics.text_metrics ADD COLUMN IF NOT EXISTS start_char INTEGER;
ALTER TABLE metrics.text_metrics ADD COLUMN IF NOT EXISTS page INTEGER;

-- Where cleaning found damage, for a flag to point at: the first masked spam string as it read, the
-- masks standing in a name's place, and the first mask's and unrepaired span's positions in text.
ALTER TABLE cleaned.reports ADD COLUMN IF NOT EXISTS spam_sample VARCHAR;
ALTER TABLE cleaned.reports ADD COLUMN IF NOT EXISTS spam_in_names INTEGER;
ALTER TABLE cleaned.reports ADD COLUMN IF NOT EXISTS spam_first_char INTEGER;
ALTER TABLE cleaned.reports ADD COLUMN IF NOT EXISTS garbled_first_char INTEGER;

-- What people decided about a flag or a figure, loaded from the reviews file by every marts build
-- (warehouse/reviews.py): the file is their source, so they outlive runs and code versions.
CREATE TABLE IF NOT EXISTS review.decisions (
    report_id VARCHAR,
    target VARCHAR,
    decision VARCHAR,
    corrected_value DOUBLE,
    note VARCHAR,
    decided_by VARCHAR,
    decided_at TIMESTAMP,
    status VARCHAR NOT NULL,
    problem VARCHAR
);

-- The contract's figures table, long format: the prose rows and the table cells, each kept once
-- where its stage writes it (a copy of every cell was 18 M rows and 8 s of the metrics stage at
-- 100k reports). Unique on (report_id, metric, source), as the contract says: by construction (a
-- stage replaces a report's rows whole), and verified by the warehouse_contract asset check; an
-- index cost two thirds of the writes' time. Defined last: it reads columns added above.
CREATE OR REPLACE VIEW metrics.report_metrics AS
SELECT report_id, metric, value, unit, qualifier, source, section_no, evidence, page FROM metrics.text_metrics
UNION ALL
SELECT report_id, metric, value, unit, 'exact' AS qualifier, 'table' AS source, section_no, evidence, page
FROM segmented.table_cells
UNION ALL
-- A person's correction, beside the machine's value (the marts take it first).
SELECT d.report_id, d.target, d.corrected_value, m.unit, 'exact', 'review', NULL,
    left('review by ' || d.decided_by || coalesce(': ' || d.note, ''), 200), NULL
FROM review.decisions AS d JOIN catalog.metrics AS m ON m.metric = d.target
WHERE d.decision = 'corrected' AND d.status = 'applied';
