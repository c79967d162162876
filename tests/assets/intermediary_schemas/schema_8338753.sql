-- The intermediary's schema as Base.metadata.create_all wrote it on SQLite at commit 8338753 (intermediary/models.py
-- of that commit); tests/intermediary/test_migrations.py upgrades a database made from it.
CREATE TABLE consumers (
	consumer_id VARCHAR(32) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	ledger_address VARCHAR(64) NOT NULL, 
	meter_key VARCHAR(64) NOT NULL, 
	renewable_target_pct INTEGER NOT NULL, 
	providers JSON NOT NULL, 
	PRIMARY KEY (consumer_id), 
	UNIQUE (ledger_address)
);

CREATE TABLE providers (
	provider_id VARCHAR(32) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	method VARCHAR(32) NOT NULL, 
	category VARCHAR(16) NOT NULL, 
	PRIMARY KEY (provider_id)
);

CREATE TABLE login_failures (
	scope VARCHAR(64) NOT NULL, 
	failures INTEGER NOT NULL, 
	last_failure INTEGER NOT NULL, 
	blocked_until INTEGER NOT NULL, 
	PRIMARY KEY (scope)
);

CREATE TABLE usage (
	id INTEGER NOT NULL, 
	consumer_id VARCHAR(32) NOT NULL, 
	start INTEGER NOT NULL, 
	"end" INTEGER NOT NULL, 
	wh INTEGER NOT NULL, 
	renewable_wh INTEGER NOT NULL, 
	fossil_wh INTEGER NOT NULL, 
	unallocated_wh INTEGER NOT NULL, 
	tx_id VARCHAR(64), 
	status VARCHAR(16) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (consumer_id, start), 
	FOREIGN KEY(consumer_id) REFERENCES consumers (consumer_id)
);

CREATE TABLE usage_totals (
	consumer_id VARCHAR(32) NOT NULL, 
	renewable_wh INTEGER NOT NULL, 
	total_wh INTEGER NOT NULL, 
	PRIMARY KEY (consumer_id), 
	FOREIGN KEY(consumer_id) REFERENCES consumers (consumer_id)
);

CREATE TABLE applicants (
	id INTEGER NOT NULL, 
	applicant_id VARCHAR(64) NOT NULL, 
	password_hash VARCHAR(256) NOT NULL, 
	consumer_id VARCHAR(32) NOT NULL, 
	failed_logins INTEGER NOT NULL, 
	locked_until INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (applicant_id), 
	FOREIGN KEY(consumer_id) REFERENCES consumers (consumer_id)
);

CREATE TABLE items (
	item_id VARCHAR(32) NOT NULL, 
	consumer_id VARCHAR(32) NOT NULL, 
	method VARCHAR(32) NOT NULL, 
	period_start INTEGER NOT NULL, 
	period_end INTEGER NOT NULL, 
	amount_wh INTEGER NOT NULL, 
	assets JSON NOT NULL, 
	PRIMARY KEY (item_id), 
	FOREIGN KEY(consumer_id) REFERENCES consumers (consumer_id)
);

CREATE TABLE certificates (
	certificate_id VARCHAR(64) NOT NULL, 
	consumer_id VARCHAR(32) NOT NULL, 
	type_id VARCHAR(64) NOT NULL, 
	method VARCHAR(32) NOT NULL, 
	category VARCHAR(16) NOT NULL, 
	amount_wh INTEGER NOT NULL, 
	period_start INTEGER NOT NULL, 
	period_end INTEGER NOT NULL, 
	issued_at INTEGER NOT NULL, 
	chain_id VARCHAR(64) NOT NULL, 
	block_height INTEGER NOT NULL, 
	payload VARCHAR(4096) NOT NULL, 
	profile JSON NOT NULL, 
	PRIMARY KEY (certificate_id), 
	FOREIGN KEY(consumer_id) REFERENCES consumers (consumer_id)
);

CREATE TABLE sessions (
	token_hash VARCHAR(64) NOT NULL, 
	applicant INTEGER NOT NULL, 
	expires_at INTEGER NOT NULL, 
	PRIMARY KEY (token_hash), 
	FOREIGN KEY(applicant) REFERENCES applicants (id)
);

CREATE TABLE issuance_requests (
	applicant INTEGER NOT NULL, 
	"key" VARCHAR(100) NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	certificate_id VARCHAR(64) NOT NULL, 
	tx_ids JSON NOT NULL, 
	item_ids JSON NOT NULL, 
	type_id VARCHAR(64) NOT NULL, 
	updated_at INTEGER NOT NULL, 
	PRIMARY KEY (applicant, "key"), 
	FOREIGN KEY(applicant) REFERENCES applicants (id)
);

