-- One database per service (run once by the postgres image on an empty data volume).
CREATE DATABASE identity;
CREATE DATABASE billing;
CREATE DATABASE payments;
CREATE DATABASE notifications;
