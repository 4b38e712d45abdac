"""Bookings: services and their variants, staff, working hours, closures and appointments.

No staff member can hold two overlapping booked appointments: an exclusion constraint (btree_gist)
over the staff id and the appointment's time range widened by its buffers. `timestamptz - interval`
is only STABLE (a day or month interval depends on the time zone), so an index cannot use it
directly; `appointment_span` adds whole minutes only, which no time zone changes, and says so.
"""

SQL = """
CREATE FUNCTION appointment_span(
    starts_at timestamptz, ends_at timestamptz, buffer_before integer, buffer_after integer
) RETURNS tstzrange
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN tstzrange(
        starts_at - make_interval(mins => buffer_before),
        ends_at + make_interval(mins => buffer_after),
        '[)'
    );

CREATE TABLE services (
    id uuid PRIMARY KEY,
    code varchar(64) NOT NULL UNIQUE,
    name varchar(200) NOT NULL,
    description text NOT NULL DEFAULT '',
    duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    price numeric(14, 2) NOT NULL CHECK (price >= 0),
    currency char(3) NOT NULL,
    buffer_before_minutes integer NOT NULL DEFAULT 0
        CHECK (buffer_before_minutes BETWEEN 0 AND 1440),
    buffer_after_minutes integer NOT NULL DEFAULT 0
        CHECK (buffer_after_minutes BETWEEN 0 AND 1440),
    lead_time_minutes integer NOT NULL DEFAULT 0 CHECK (lead_time_minutes >= 0),
    active boolean NOT NULL DEFAULT true,
    archived_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX services_listing ON services (name, id);

CREATE TABLE service_variants (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES services (id),
    name varchar(120) NOT NULL,
    duration_minutes integer CHECK (duration_minutes BETWEEN 1 AND 1440),
    price numeric(14, 2) CHECK (price >= 0),
    position integer NOT NULL DEFAULT 0,
    archived_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_variants_service ON service_variants (service_id, position);

CREATE TABLE staff (
    id uuid PRIMARY KEY,
    name varchar(200) NOT NULL,
    active boolean NOT NULL DEFAULT true,
    uses_business_hours boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_listing ON staff (name, id);

CREATE TABLE staff_services (
    id bigserial PRIMARY KEY,
    staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    UNIQUE (staff_id, service_id)
);
CREATE INDEX staff_services_service ON staff_services (service_id);

CREATE TABLE business_hours (
    id bigserial PRIMARY KEY,
    weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens_at time NOT NULL,
    closes_at time NOT NULL,
    CHECK (opens_at < closes_at)
);
CREATE INDEX business_hours_weekday ON business_hours (weekday, opens_at);

CREATE TABLE staff_hours (
    id bigserial PRIMARY KEY,
    staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens_at time NOT NULL,
    closes_at time NOT NULL,
    CHECK (opens_at < closes_at)
);
CREATE INDEX staff_hours_staff ON staff_hours (staff_id, weekday, opens_at);

CREATE TABLE closures (
    id uuid PRIMARY KEY,
    staff_id uuid REFERENCES staff (id) ON DELETE CASCADE,
    start_date date,
    end_date date,
    starts_at timestamptz,
    ends_at timestamptz,
    reason varchar(500) NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (
        (start_date IS NOT NULL AND end_date IS NOT NULL AND start_date <= end_date
            AND starts_at IS NULL AND ends_at IS NULL)
        OR (start_date IS NULL AND end_date IS NULL
            AND starts_at IS NOT NULL AND ends_at IS NOT NULL AND starts_at < ends_at)
    )
);
CREATE INDEX closures_dates ON closures (end_date, start_date) WHERE start_date IS NOT NULL;
CREATE INDEX closures_times ON closures (ends_at, starts_at) WHERE starts_at IS NOT NULL;

CREATE TABLE appointments (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id),
    service_id uuid NOT NULL REFERENCES services (id),
    variant_id uuid REFERENCES service_variants (id),
    staff_id uuid NOT NULL REFERENCES staff (id),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    buffer_before_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_before_minutes >= 0),
    buffer_after_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_after_minutes >= 0),
    price numeric(14, 2) NOT NULL CHECK (price >= 0),
    currency char(3) NOT NULL,
    status varchar(16) NOT NULL DEFAULT 'booked'
        CHECK (status IN ('booked', 'cancelled', 'completed', 'no_show')),
    cancel_reason text,
    notes text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_at < ends_at),
    CONSTRAINT appointments_no_double_booking EXCLUDE USING gist (
        staff_id WITH =,
        appointment_span(starts_at, ends_at, buffer_before_minutes, buffer_after_minutes) WITH &&
    ) WHERE (status = 'booked')
);
CREATE INDEX appointments_listing ON appointments (starts_at, id);
CREATE INDEX appointments_customer ON appointments (customer_id, starts_at);
CREATE INDEX appointments_staff ON appointments (staff_id, starts_at);
"""
