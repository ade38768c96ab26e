import pandas as pd, json
runs = pd.DataFrame(json.loads(l) for l in open("data/runs.jsonl"))
# Failure rate by model
print(runs.groupby("producer_model")["final"].value_counts(normalize=True))
# Mean first-round Specificity score (weakest dimension)
runs["spec_r1"] = runs.wiggum_dimensions.apply(lambda d: d["specificity"][0])
print(runs.groupby("producer_model")["spec_r1"].mean().round(2))
