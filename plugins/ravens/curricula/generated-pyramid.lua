-- A generation stage replayed from a committed transcript: the model was
-- asked for "a three-level pyramid of six blocks" and wrote a line of
-- blocks on a stand, a bridge of a block on a pair, and the pyramid; the
-- policy learns them, then the seed pyramid.
return curriculum {
  name = "generated-pyramid",
  stages = {
    {generate = {target = "a three-level pyramid of six blocks", replay = "generated-pyramid.jsonl"},
     demos = 20, train_steps = 600, eval_episodes = 10},
    {tasks = {"stack-block-pyramid"}, demos = 50, train_steps = 1200, eval_episodes = 20,
     advance_when = {success = 0.5}, max_rounds = 2},
  },
}
