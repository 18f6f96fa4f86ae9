#!/bin/bash
# bench/corpus.sh N: the corpus of N generated articles the benchmarks read,
# build/bench/corpus-N or BENCH_CORPUS_DIR/corpus-N (util/gen-articles, seed
# 1, none broken), written once and kept between runs: written again only
# when the generator or its arguments change.  Its writers run side by side (--jobs), twice as many
# as CPUs, since they wait on the disk as much as they compute; prints
# "generate_s: S" when it writes.
#
#   BENCH_GEN_JOBS   writers (default: 2 per CPU)
#   BENCH_CORPUS_DIR where the corpora are kept (default build/bench): a
#                    folder outside the tree survives a clean clone

set -euo pipefail

cd "$(dirname "$0")/.."
N=${1:?usage: bench/corpus.sh N}
JOBS=${BENCH_GEN_JOBS:-$(( $(nproc) * 2 ))}
DIR=${BENCH_CORPUS_DIR:-$PWD/build/bench}/corpus-$N
STAMP="$N 1 0 jobs $(sha1sum util/gen-articles | cut -c1-40)"

if [ -f "$DIR/.stamp" ] && [ "$(cat "$DIR/.stamp")" = "$STAMP" ]; then
    exit 0
fi

# written beside it and renamed: an interrupted run leaves no half corpus
rm -rf "$DIR" "$DIR.part"
mkdir -p "$(dirname "$DIR")"
start=$(date +%s%N)
util/gen-articles --count "$N" --out "$DIR.part" --seed 1 --bad-fraction 0 \
    --jobs "$JOBS"
took=$(perl -e 'printf "%.1f", $ARGV[0] / 1e9' $(( $(date +%s%N) - start )))
echo "$took" > "$DIR.part/.generate_s"    # printed by bench/scale.sh later
echo "$STAMP" > "$DIR.part/.stamp"
mv "$DIR.part" "$DIR"
echo "generate_s: $took ($N articles, $JOBS writers)"
