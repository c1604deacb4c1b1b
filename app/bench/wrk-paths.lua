-- wrk script: rotates GET requests over the paths given after "--" on wrk's command line.
-- usage: wrk -t2 -c16 -d10s --latency -s app/bench/wrk-paths.lua http://127.0.0.1:PORT -- /path1 /path2 ...
local paths = {}
local i = 0

function init(args)
  for _, p in ipairs(args) do
    paths[#paths + 1] = p
  end
  i = math.random(0, #paths)
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
