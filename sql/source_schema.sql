-- Reference DDL of the booking platform's tables that snapctl reads (SPEC section 2).
-- The platform owns these tables; snapctl never writes them. Names and types are fixed by the
-- platform; real deployments may carry more columns, which snapctl ignores. Like the platform,
-- this schema has no indexes on the foreign keys (see `snapctl init-db --source-indexes`).
CREATE TABLE storage_bookings (
	id uuid PRIMARY KEY,
	farmer_id uuid,
	location_id uuid,
	vendor_id uuid NULL,
	crop_type varchar(120),
	quantity_kg integer,
	grade varchar(16) NULL,
	duration_days integer,
	start_date timestamptz,
	end_date timestamptz,
	ai_inspection_id uuid NULL,
	booking_status varchar(32) NULL
);

CREATE TABLE crop_inspections (
	id uuid PRIMARY KEY,
	freshness_score numeric(3, 2) NULL,
	freshness varchar(120) NULL,
	visual_defects text NULL,
	shelf_life_days integer NULL
);

CREATE TABLE iot_sensors (
	id uuid PRIMARY KEY,
	location_id uuid NOT NULL,
	sensor_type varchar(64) NOT NULL,
	status varchar(24) NULL
);

CREATE TABLE sensor_readings (
	sensor_id uuid NOT NULL,
	reading_value double precision NOT NULL,
	reading_unit varchar(16) NULL,
	reading_time timestamptz NOT NULL,
	alert_triggered boolean NULL
);

CREATE TABLE pest_detections (
	location_id uuid NOT NULL,
	pest_type varchar(120) NULL,
	severity_level varchar(24) NULL,
	confidence_score double precision NULL,
	detected_at timestamptz NULL,
	action_taken text NULL,
	resolved_at timestamptz NULL
);

CREATE TABLE compliance_certificates (
	id uuid PRIMARY KEY,
	vendor_id uuid NOT NULL,
	certificate_type varchar(64) NOT NULL,
	certificate_number varchar(120) NULL,
	issuing_authority varchar(120) NULL,
	issue_date date NULL,
	expiry_date date NULL,
	status varchar(24) NULL,
	document_url text NULL,
	score integer NULL
);

CREATE TABLE storage_certificates (
	id uuid PRIMARY KEY,
	booking_id uuid NOT NULL,
	certificate_number varchar(64) NOT NULL,
	issued_date timestamptz NULL,
	certificate_status varchar(32) NULL,
	digital_signature text NULL,
	issued_by uuid NULL
);
