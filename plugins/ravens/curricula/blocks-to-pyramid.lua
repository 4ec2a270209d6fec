-- Stacking first, then the pyramid: does a stage of towers help a policy
-- build the pyramid, against the pyramid alone with the same demonstrations
-- and steps in all (bench/curriculum_pyramid.sh measures both)?
return curriculum {
  name = "blocks-to-pyramid",
  seed = 0,
  stages = {
    {tasks = {"stack-block-tower"}, demos = 100, train_steps = 1500, eval_episodes = 20,
     advance_when = {success = 0.5}, max_rounds = 1},
    {tasks = {"stack-block-pyramid"}, demos = 100, train_steps = 1500, eval_episodes = 20},
  },
}
