-- The sample dataset `npm start` loads into a new embedded database: five cities and three
-- years of daily weather (a time series to chart), plus a small table of books. The numbers are
-- made up but plausible: a seasonal curve per city (southern hemisphere reversed) with
-- deterministic noise, so every fresh database holds the same rows.

CREATE TABLE city (
  id integer PRIMARY KEY,
  name text NOT NULL UNIQUE,
  country text NOT NULL,
  latitude double precision NOT NULL,
  longitude double precision NOT NULL,
  population integer NOT NULL
);

INSERT INTO city VALUES
  (1, 'Oslo', 'Norway', 59.91, 10.75, 709000),
  (2, 'Lisbon', 'Portugal', 38.72, -9.14, 545000),
  (3, 'Cairo', 'Egypt', 30.04, 31.24, 10100000),
  (4, 'Singapore', 'Singapore', 1.35, 103.82, 5900000),
  (5, 'Buenos Aires', 'Argentina', -34.60, -58.38, 3100000);

CREATE TABLE weather (
  city_id integer NOT NULL REFERENCES city,
  day date NOT NULL,
  temp_min numeric(4, 1) NOT NULL,
  temp_max numeric(4, 1) NOT NULL,
  precipitation_mm numeric(5, 1) NOT NULL,
  PRIMARY KEY (city_id, day)
);

INSERT INTO weather (city_id, day, temp_min, temp_max, precipitation_mm)
SELECT c.id, d::date,
       round((p.mean + p.swing * s.season - 4 + s.noise * 3)::numeric, 1),
       round((p.mean + p.swing * s.season + 4 + s.noise * 3)::numeric, 1),
       round(greatest(0, p.rain * (s.noise2 * 4 - 2.6))::numeric, 1)
FROM city c
JOIN (VALUES (1, 6.0, 10.0, 4.0), (2, 17.5, 5.5, 5.0), (3, 22.5, 6.5, 0.6), (4, 27.5, 0.8, 9.0), (5, 18.0, -6.0, 5.5))
  AS p (city_id, mean, swing, rain) ON p.city_id = c.id
CROSS JOIN generate_series('2023-01-01'::date, '2025-12-31'::date, interval '1 day') AS d
CROSS JOIN LATERAL (
  SELECT -cos(2 * pi() * (extract(doy FROM d) - 15) / 365.25) AS season,
         (abs(hashtext(c.id || ':' || d::date)) % 1000) / 1000.0 - 0.5 AS noise,
         (abs(hashtext(d::date || ':' || c.id)) % 1000) / 1000.0 AS noise2
) AS s;

CREATE VIEW monthly_weather AS
SELECT c.name AS city, date_trunc('month', w.day)::date AS month,
       round(avg((w.temp_min + w.temp_max) / 2), 1) AS mean_temp,
       sum(w.precipitation_mm) AS precipitation_mm
FROM weather w JOIN city c ON c.id = w.city_id
GROUP BY c.name, date_trunc('month', w.day);

CREATE TABLE book (
  id serial PRIMARY KEY,
  title text NOT NULL,
  author text NOT NULL,
  published date,
  price numeric(6, 2),
  details jsonb
);

INSERT INTO book (title, author, published, price, details) VALUES
  ('Ulysses', 'James Joyce', '1922-02-02', 14.99, '{"pages": 730, "tags": ["modernist", "Dublin"]}'),
  ('Dubliners', 'James Joyce', '1914-06-15', 9.50, '{"pages": 152, "tags": ["stories"]}'),
  ('Finnegans Wake', 'James Joyce', '1939-05-04', 18.00, NULL),
  ('Mrs Dalloway', 'Virginia Woolf', '1925-05-14', 11.25, '{"pages": 194}'),
  ('The Waves', 'Virginia Woolf', '1931-10-08', NULL, '{"pages": 297, "tags": ["novel"]}');

ANALYZE;
