#!/bin/sh
# Takes the settings Postal's install template gives the official mariadb image (MARIADB_DATABASE,
# MARIADB_ROOT_PASSWORD) and applies them at start through --init-file, so the server only reports
# "ready for connections" once root can log in over TCP with that password.
set -eu
: "${MARIADB_ROOT_PASSWORD:?set MARIADB_ROOT_PASSWORD}"
database="${MARIADB_DATABASE:-postal}"
init=/run/mysqld/init.sql
umask 077
# The password is quoted for SQL: a single quote doubled.
password=$(printf '%s' "$MARIADB_ROOT_PASSWORD" | sed "s/'/''/g")
cat > "$init" <<SQL
CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '$password';
ALTER USER 'root'@'%' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS \`$database\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
FLUSH PRIVILEGES;
SQL
chown mysql:mysql "$init"
exec /usr/sbin/mariadbd --user=mysql --bind-address=0.0.0.0 --port="${MARIADB_PORT:-3306}" --skip-name-resolve --init-file="$init"
