"""Train the churn model."""
import os, sys
from sklearn.linear_model import LogisticRegression

model = LogisticRegression()
