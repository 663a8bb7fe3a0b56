#!/bin/sh
# gradescope.sh LAB [OUT] [PLATFORM] - one lab's autograder for a grading
# platform: the kit's sources the grader is built from (the Makefile,
# common/, grader/ without tests or bench, and the lab's folder from labs/,
# its skeleton, which a submission's files go over), with run_autograder
# and check-image.sh (grader/gradescope/), packed as the platform takes it:
#   gradescope (make gradescope LAB=N [ZIP=...]): autograder-labN.zip,
#     setup.sh and run_autograder at its top
#   prairielearn (make prairielearn LAB=N [ZIP=...]): prairielearn-labN.zip,
#     unzipped at the course's top: serverFilesCourse/serverlab-labN/ (the
#     kit and run.sh, the entrypoint) and questions/serverlab-labN/
#     (info.json with externalGradingOptions, question.html)
#   autolab (make autolab LAB=N [DIR=...]): autolab-labN/, with
#     autograde-Makefile, autograde.tar (the kit as serverlab/) and
#     labN.yml (the problems the autoresult scores, the autograder's timeout)
# IF_UNAVAILABLE in the environment: lab 5's score where io_uring is
# refused (full, zero or pending; README); LEADERBOARD=1: a leaderboard
# (Gradescope) or scoreboard column (Autolab) of round trips per second.
set -eu
cd "$(dirname "$0")/../.."
lab=$1 platform=${3:-gradescope}
folder=$(ls -d labs/lab"$lab"-* 2> /dev/null | head -n 1)
if [ -z "$folder" ]; then
	echo "make $platform LAB=N: no folder labs/lab$lab-* (labs: $(ls labs | tr '\n' ' '))" >&2
	exit 2
fi
policy=${IF_UNAVAILABLE:-pending}
case $policy in full|zero|pending) ;; *)
	echo "make $platform: IF_UNAVAILABLE is full, zero or pending, not '$policy'" >&2; exit 2 ;;
esac
[ "$platform" = autolab ] || command -v zip > /dev/null ||
	{ echo "$platform: zip is missing: run make deps" >&2; exit 1; }
out=${2:-}
case $platform in
gradescope) out=${out:-autograder-lab$lab.zip} ;;
prairielearn) out=${out:-prairielearn-lab$lab.zip} ;;
autolab) out=${out:-autolab-lab$lab} ;;
*) echo "gradescope.sh: no platform '$platform'" >&2; exit 2 ;;
esac
case $out in /*) ;; *) out=$PWD/$out ;; esac
stage=$(mktemp -d /tmp/gradescope.XXXXXX)
trap 'rm -rf "$stage"' EXIT
kit=$stage/kit
mkdir -p "$kit/grader/inject" "$kit/common" "$kit/$folder"
cp Makefile "$kit/"
cp common/*.c common/*.h "$kit/common/"
for layer in engine checks plans cli; do
	mkdir -p "$kit/grader/$layer"
	cp grader/$layer/*.c grader/$layer/*.h "$kit/grader/$layer/"
done
cp grader/inject/*.c "$kit/grader/inject/"
for f in "$folder"/*.c "$folder"/*.h "$folder"/README.md; do
	if [ -f "$f" ]; then cp "$f" "$kit/$folder/"; fi
done
for f in setup.sh run_autograder check-image.sh; do
	sed "s/@LAB@/$lab/g; s/@POLICY@/$policy/g; s/@LEADERBOARD@/${LEADERBOARD:-0}/g" \
		grader/gradescope/$f > "$kit/$f"
	chmod 755 "$kit/$f"
done
# The lab's tests and points, as the Classroom workflow lists them.
tests() { ./grader/grader --lab "$lab" --classroom | awk '/test-name:/ { n = $2 } /max-score:/ { print n, $2 }'; }
name=serverlab-lab$lab
case $platform in
gradescope)
	rm -f "$out"
	(cd "$kit" && zip -qr "$out" .)
	echo "$out: upload it as the autograder of lab $lab's Gradescope assignment" ;;
prairielearn)
	rm "$kit/setup.sh"
	cat > "$kit/run.sh" <<-EOF
	#!/bin/sh
	# PrairieLearn's entrypoint for lab $lab (info.json): grade /grade/student
	# with the kit beside this script; results in /grade/results/results.json.
	grade=\${GRADE_ROOT:-/grade}
	mkdir -p "\$grade/results"
	id sbuser > /dev/null 2>&1 && user=sbuser || user=nobody
	PLATFORM=prairielearn KIT=\$(cd "\$(dirname "\$0")" && pwd) SUBMISSION=\$grade/student \\
		RESULTS=\$grade/results/results.json GRADER_USER=\${GRADER_USER:-\$user} \\
		exec sh "\$(dirname "\$0")/run_autograder"
	EOF
	chmod 755 "$kit/run.sh"
	course=$stage/course
	mkdir -p "$course/serverFilesCourse" "$course/questions/$name"
	mv "$kit" "$course/serverFilesCourse/$name"
	uuid=$(python3 -c "import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, 'serverlab/lab$lab'))" 2> /dev/null ||
		cat /proc/sys/kernel/random/uuid)
	cat > "$course/questions/$name/info.json" <<-EOF
	{
	  "uuid": "$uuid",
	  "title": "ServerLab lab $lab ($(basename "$folder"))",
	  "topic": "Servers",
	  "type": "v3",
	  "singleVariant": true,
	  "gradingMethod": "External",
	  "externalGradingOptions": {
	    "enabled": true,
	    "image": "prairielearn/grader-c",
	    "serverFilesCourse": ["$name/"],
	    "entrypoint": "/grade/serverFilesCourse/$name/run.sh",
	    "timeout": 600
	  }
	}
	EOF
	files=$(cd "$folder" && ls *.c *.h 2> /dev/null | tr '\n' ',' | sed 's/,$//; s/,/, /g')
	cat > "$course/questions/$name/question.html" <<-EOF
	<pl-question-panel>
	  <p>Lab $lab of ServerLab ($(basename "$folder")): upload the files of your
	  <code>$folder/</code> folder. The grader builds them with the kit's
	  Makefile and runs its tests against your server.</p>
	</pl-question-panel>
	<pl-file-upload file-names="$files"></pl-file-upload>
	<pl-submission-panel>
	  <pl-external-grader-results></pl-external-grader-results>
	  <pl-file-preview></pl-file-preview>
	</pl-submission-panel>
	EOF
	rm -f "$out"
	(cd "$course" && zip -qr "$out" .)
	echo "$out: unzip it at your PrairieLearn course's top (serverFilesCourse/$name, questions/$name)" ;;
autolab)
	rm "$kit/setup.sh"
	mv "$kit" "$stage/serverlab"
	rm -rf "$out" && mkdir -p "$out"
	tar -C "$stage" -cf "$out/autograde.tar" serverlab
	cat > "$out/autograde-Makefile" <<-EOF
	# Autolab runs this (as Makefile) beside autograde.tar and the student's
	# handin.tar (a tar of their repository or of the lab's files): the
	# grader on lab $lab, whose last line of output is the autoresult.
	all:
	EOF
	printf '\t@tar xf autograde.tar && mkdir -p handin && tar xf handin.tar -C handin\n' >> "$out/autograde-Makefile"
	printf '\t@PLATFORM=autolab KIT=$(CURDIR)/serverlab SUBMISSION=$(CURDIR)/handin sh serverlab/run_autograder || true\n' >> "$out/autograde-Makefile"
	printf '\nclean:\n\trm -rf serverlab handin\n' >> "$out/autograde-Makefile"
	{
		echo "# Autolab settings for lab $lab (make autolab): one problem per test,"
		echo "# named as the autoresult names them, and the autograder's timeout."
		echo "problems:"
		tests | while read -r test points; do
			printf -- "- name: %s\n  description: ''\n  max_score: %s\n  optional: false\n" "$test" "$points"
		done
		printf "autograder:\n  autograde_timeout: 600\n  autograde_image: autograding_image\n  release_score: true\n"
	} > "$out/lab$lab.yml"
	echo "$out/: autograde-Makefile and autograde.tar for lab $lab's Autolab assessment (handin.tar; problems in lab$lab.yml)" ;;
esac
