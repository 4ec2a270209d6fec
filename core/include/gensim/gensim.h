/* gensim.h: the whole public API of libgensim.
 *
 * Link with `pkg-config --cflags --libs gensim`. Nothing here reaches a Lua
 * or Bullet header: the sandbox, the physics engine and the trusted Lua
 * host stay inside the library. Start with task.h (load a task by file or
 * name) and episode.h (run it with an actor and observers); workflow.h has
 * what the commands do. */
#ifndef GENSIM_GENSIM_H
#define GENSIM_GENSIM_H

#include "gensim/assets.h"
#include "gensim/dataset.h"
#include "gensim/episode.h"
#include "gensim/export.h"
#include "gensim/host.h"
#include "gensim/io.h"
#include "gensim/library.h"
#include "gensim/llm.h"
#include "gensim/math.h"
#include "gensim/physics.h"
#include "gensim/plugin.h"
#include "gensim/policy.h"
#include "gensim/policy_data.h"
#include "gensim/render.h"
#include "gensim/robot.h"
#include "gensim/sandbox.h"
#include "gensim/status.h"
#include "gensim/task.h"
#include "gensim/train.h"
#include "gensim/workflow.h"

#endif
