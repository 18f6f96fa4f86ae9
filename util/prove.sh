#!/bin/bash
# prove, the files side by side; then the files that failed run once
# more, one at a time: on a busy 2-core machine a file can be starved of
# CPU past a deadline.  The second run decides; when prove cannot name the
# failed files (a bail-out), the first failure stands.
#   util/prove.sh JOBS FILE...
jobs=$1; shift
rm -f .prove
prove --state=save -j"$jobs" "$@" && { rm -f .prove; exit 0; }
failed=$(prove --state=failed --dry 2>/dev/null | grep '\.t$')
rm -f .prove
if [ -z "$failed" ]; then
    echo "# prove failed and named no failed file: the run fails"
    exit 1
fi
echo "# failed side by side, run again one at a time:" $failed
prove $failed
