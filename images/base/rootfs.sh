# Runs inside the freshly debootstrapped base root file system (chroot, as root, /bin/sh),
# before it is packed and imported as the shared base layer. The build script has already
# written /etc/apt/sources.list (the build machine's Debian mirror: the release, its updates
# and security suites) and carried over the machine's apt options for that mirror.
set -eu
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

# No daemons start inside a build, now or in images built on top.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d

# Documentation is not needed on a session desktop: drop it now and for every later install.
cat >/etc/dpkg/dpkg.cfg.d/hotdesk-nodoc <<'CFG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/lintian/*
CFG
# Images are small and rebuilt, not upgraded in place: no apt caches or translations.
cat >/etc/apt/apt.conf.d/90hotdesk <<'CFG'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
CFG

# Security and point-release updates on top of what debootstrap installed.
apt-get update -qq
apt-get -y -qq -o Dpkg::Options::=--force-confold dist-upgrade >/dev/null

# D-Bus (dbus-launch in the session) needs a machine id.
dbus-uuidgen --ensure=/etc/machine-id
mkdir -p /var/lib/dbus && ln -sf /etc/machine-id /var/lib/dbus/machine-id

apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/lib/dpkg/*-old \
  /var/log/apt/* /var/log/dpkg.log /var/log/bootstrap.log /var/log/alternatives.log
find /usr/share/doc -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true
find /usr/share/doc -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf /usr/share/man/* /usr/share/info/* /usr/share/lintian/*
# Docker provides these at run time.
: >/etc/hostname
: >/etc/resolv.conf
