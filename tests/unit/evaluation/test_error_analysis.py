import numpy as np

from rnnclf import load_checkpoint
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.evaluation.metrics import agreement_matrix, cell_examples, disagreeing_rows


def test_cell_examples_add_up_to_the_stored_confusion_matrix():
    split = read_csv(TEST_PATH)
    checkpoint = load_checkpoint("approach1")
    probabilities = checkpoint.test_probabilities(split)
    confusion = checkpoint.metrics.test.confusion
    for true in range(4):
        for predicted in range(4):
            rows = cell_examples(split.labels, probabilities, true, predicted)
            assert len(rows) == confusion[true][predicted]
            confidence = probabilities[rows, predicted]
            assert np.all(np.diff(confidence) <= 0)


def test_agreement_and_disagreements():
    predicted = np.array([[0, 1, 2, 3], [0, 1, 2, 0], [0, 2, 2, 0]])
    agreement = agreement_matrix(predicted)
    assert agreement.shape == (3, 3) and np.allclose(np.diag(agreement), 1)
    assert agreement[0, 1] == 0.75 and agreement[1, 2] == 0.75 and agreement[0, 2] == 0.5
    assert disagreeing_rows(predicted).tolist() == [1, 3]
