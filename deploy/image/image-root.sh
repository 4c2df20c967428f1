#!/usr/bin/env bash
# The files Jib adds to the empty ("scratch") base of Ferry's image, built by `mvn package` (pom.xml, execution
# image-root): a Java runtime made by jlink from the building JDK, holding only the modules Ferry and its libraries
# use, and the few C libraries that runtime links (glibc, libstdc++, zlib), copied from the building machine.
# Usage: image-root.sh JAVA_HOME ROOT MODULES   (ROOT is emptied first; MODULES: comma-separated).
set -euo pipefail
java_home="$1"
root="$2"
modules="$3"
jre="$root/opt/ferry/jre"

if [ ! -d "$java_home/jmods" ]; then
  echo "image-root.sh: $java_home has no jmods/ directory, which jlink needs (a full JDK has them: on Debian, openjdk-17-jdk-headless);" \
    "or build without the image: mvn package -Dferry.image.skip=true" >&2
  exit 1
fi
rm -rf "$root"
mkdir -p "$root/opt/ferry" "$root/tmp"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output "$jre"

# The launcher, the JVM and the runtime's native libraries, except those of AWT, fonts, images and sound: java.desktop
# is linked in only for the java.beans classes Jackson and SnakeYAML refer to, and Ferry never opens a window.
natives=("$jre/bin/java" "$jre/lib/server/libjvm.so")
while IFS= read -r lib; do
  natives+=("$lib")
done < <(find "$jre/lib" -maxdepth 1 -name '*.so' \
  ! -name 'libawt*' ! -name 'libfontmanager.so' ! -name 'libjsound.so' ! -name 'liblcms.so' \
  ! -name 'libmlib_image.so' ! -name 'libjavajpeg.so' ! -name 'libsplashscreen.so' ! -name 'libjawt.so')

# Every shared library they load from the system, at the path the dynamic loader finds it, as a plain file.
for native in "${natives[@]}"; do
  ldd "$native" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
done | sort -u | while IFS= read -r lib; do
  case "$lib" in "$jre"/*) continue ;; esac
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
chmod 777 "$root/tmp"
