#!/bin/sh
# Submits a gensim workflow to Slurm as a job array of N shards and its merge
# as a job that runs only once every shard succeeded (afterok). Slurm does
# the scheduling; this only submits.
#
#   sh scripts/slurm/submit.sh demos    N OUT TASK... --episodes E [flags]
#   sh scripts/slurm/submit.sh validate N OUT TASK.lua... [flags]
#   sh scripts/slurm/submit.sh eval     N OUT --policy MODEL TASK... [flags]
#   sh scripts/slurm/submit.sh generate N OUT -n PROPOSALS [model and ladder flags]
#
# SBATCH_ARGS (e.g. "--cpus-per-task=16 --partition=cpu") go to every sbatch.
# Works from the source tree or an installed prefix (share/gensim/scripts/
# slurm), from any folder: the jobs run in the folder submitted from.
# Prints the array's and the merge's job ids.
set -eu
[ $# -ge 3 ] || { echo "usage: submit.sh demos|validate|eval|generate N OUT ARGS..." >&2; exit 2; }
kind=$1 n=$2 out=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
case "$kind" in
    demos) merge="merge-demos.sbatch" margs="" ;;
    generate) merge="merge-library.sbatch" margs="" ;;
    validate | eval) merge="merge-json.sbatch" margs="$kind" ;;
    *) echo "submit.sh: unknown workflow '$kind' (demos, validate, eval, generate)" >&2; exit 2 ;;
esac
case "$n" in
    '' | *[!0-9]* | 0) echo "submit.sh: N must be a number of shards, at least 1, not '$n'" >&2; exit 2 ;;
esac
# the gensim the jobs run: $GENSIM, else the one of the prefix these scripts
# are installed in (PREFIX/share/gensim/scripts/slurm), else the PATH's
if [ -z "${GENSIM:-}" ]; then
    if [ -x "$here/../../../../bin/gensim" ]; then
        GENSIM="$(cd "$here/../../../../bin" && pwd)/gensim"
    else
        GENSIM=$(command -v gensim || true)
    fi
fi
[ -n "$GENSIM" ] || { echo "submit.sh: no gensim found: set GENSIM or put gensim on the PATH" >&2; exit 2; }
mkdir -p "$out"
# the jobs run in this folder (Slurm's default), OUT named from anywhere
case "$out" in /*) ;; *) out="$(pwd)/$out" ;; esac
export GENSIM GENSIM_SLURM_DIR="$here"
array=$(sbatch --parsable ${SBATCH_ARGS:-} --export=ALL --array=0-$((n - 1)) "$here/$kind.sbatch" "$out" "$@")
array=${array%%;*}
merged=$(sbatch --parsable ${SBATCH_ARGS:-} --export=ALL --dependency=afterok:"$array" "$here/$merge" "$out" $margs)
echo "array $array merge ${merged%%;*}"
