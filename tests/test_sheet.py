"""The spreadsheet, number for number: every cached cell of the five trace CSVs, the epoch errors, Reset's seeds."""
import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE

import graddesc_utils as gu

TRACES = {"basic": "sgd", "momentum": "momentum", "rmsprop": "rmsprop", "adam": "adam", "adam_ann": "adam_ann"}


def test_data_is_the_sheets_29_rows():
    x, y = gu.load_data()
    assert x.dtype == float and y.dtype == float and len(x) == len(y) == 29
    assert x[:4].tolist() == [14, 86, 28, 51] and x[-1] == 8
    np.testing.assert_array_equal(y, 2 * x + 30)


@pytest.mark.parametrize("sheet", TRACES)
def test_saved_state_replay_reproduces_every_cached_cell(sheet):
    reference = pd.read_csv(REFERENCE / f"{TRACES[sheet]}_trace.csv")
    table = gu.replay(sheet, start="saved").table()
    missing = set(reference.columns) - set(table.columns)
    assert not missing, f"replay table lacks {missing}"
    for column in reference.columns:
        expected = reference[column].to_numpy(float)
        got = table[column].to_numpy(float)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0, err_msg=f"{sheet}.{column}")


@pytest.mark.parametrize("sheet", ["basic", "momentum", "rmsprop", "adam"])
def test_replay_is_bit_exact_for_the_sheets_with_a_recorded_history(sheet):
    reference = pd.read_csv(REFERENCE / f"{TRACES[sheet]}_trace.csv")
    table = gu.replay(sheet, start="saved").table()
    for column in reference.columns:
        assert np.array_equal(table[column].to_numpy(float), reference[column].to_numpy(float)), column


def test_basic_row4_matches_the_sheet():
    row = gu.replay("basic").table().iloc[0]
    assert (row.pred, row.err_sq, row.de_db, row.de_da) == (15, 1849, -86, -1204)
    assert row.est_de_db == pytest.approx(-85.99, abs=1e-9) and row.est_de_da == pytest.approx(-1202.04, abs=1e-9)
    assert row.new_a == pytest.approx(1.1204, abs=1e-15) and row.new_b == pytest.approx(1.0086, abs=1e-15)


def test_basic_epoch_errors_from_reset():
    errors = gu.replay("basic", epochs=100).epoch_errors
    assert errors[0] == 150.75521153771854
    np.testing.assert_allclose(errors[1:7], [104.749210, 104.559700, 104.370533, 104.181708, 103.993225, 103.805083],
                               atol=5e-7)
    np.testing.assert_allclose(errors[[9, 49, 99]], [103.242697, 96.028972, 87.716430], atol=5e-7)


def test_sheet_error_is_root_of_sum_not_mean():
    run = gu.replay("basic")
    assert run.epoch_errors[0] == pytest.approx(np.sqrt(run.table().err_sq.sum()), rel=1e-15)
    assert run.epoch_rmse[0] == pytest.approx(27.9945, abs=1e-4)
    assert run.epoch_errors[0] / run.epoch_rmse[0] == pytest.approx(np.sqrt(29), rel=1e-12)


def test_momentum_epochs_from_reset_and_its_seed():
    params, state = gu.reset_state("momentum")
    assert state["mom"].tolist() == [-18.33392669020789, 98.24583039212854]
    errors = gu.replay("momentum", epochs=10).epoch_errors
    assert errors[0] == 200.9651846012761
    np.testing.assert_allclose(errors[1:], [98.7026, 91.1300, 90.3095, 90.0835, 89.9262, 89.7750, 89.6235, 89.4716,
                                            89.3199], atol=5e-5)


@pytest.mark.parametrize("sheet", ["rmsprop", "adam"])
def test_reset_plus_macro_history_reaches_the_saved_state_exactly(sheet):
    reference = pd.read_csv(REFERENCE / f"{TRACES[sheet]}_trace.csv").iloc[0]
    if sheet == "rmsprop":  # one Run click at lr 0.02
        run = gu.replay("rmsprop", epochs=5)
    else:  # 3 Run clicks at lr 1, then lr 0.1 typed in and 1 more click
        run = gu.replay("adam", epochs=5, start=gu.replay("adam", epochs=15), lr=0.1)
    assert run.params == {"b": reference.b, "a": reference.a}


def test_adam_ann_annealing_schedule_and_saved_weights():
    run = gu.replay("adam_ann", epochs=25)
    lr_per_epoch = run.history["lr"][:, 0]
    expected = np.array([1.0] * 7 + [0.25] + [0.0625] * 8 + [1 / 64] + [1 / 256] * 8)
    np.testing.assert_array_equal(lr_per_epoch, expected)
    reference = pd.read_csv(REFERENCE / "adam_ann_trace.csv").iloc[0]
    assert run.params["b"] == pytest.approx(reference.b, rel=2e-9)
    assert run.params["a"] == pytest.approx(reference.a, rel=2e-9)
    assert float(run.state["lr"]) == 1 / 256


def test_continuing_a_replay_equals_one_long_replay():
    long = gu.replay("momentum", epochs=6)
    first = gu.replay("momentum", epochs=2)
    rest = gu.replay("momentum", epochs=4, start=first)
    np.testing.assert_array_equal(np.r_[first.epoch_errors, rest.epoch_errors], long.epoch_errors)
    assert rest.params == long.params


def test_replay_copies_back_the_weights_used_by_the_last_row():
    run = gu.replay("basic")
    last = run.table().iloc[-1]
    assert run.params == {"b": last.b, "a": last.a}
    second = gu.replay("basic", start=run).table().iloc[0]
    assert (second.b, second.a) == (last.b, last.a)


def test_lr_override_is_the_lr_cell():
    run = gu.replay("basic", lr=2e-4)
    assert (run.table().lr == 2e-4).all()
    assert run.epoch_errors[0] != gu.replay("basic").epoch_errors[0]


def test_train_is_29_updates_per_epoch_and_differs_from_the_macro_only_by_the_last_update():
    x, y = gu.load_data()
    run = gu.train(gu.Linear(), gu.SGD(1e-4), x, y)
    sheet = gu.replay("basic")
    assert run.epoch_errors[0] == sheet.epoch_errors[0]
    last = run.table().iloc[-1]
    assert run.params == {"b": last.new_b, "a": last.new_a}


@pytest.mark.parametrize("bad, message", [
    (dict(sheet="excel"), "sheet must be one of"),
    (dict(sheet="basic", start="yesterday"), "start must be"),
    (dict(sheet="basic", lr=-1.0), "lr must be"),
    (dict(sheet="basic", lr=float("nan")), "lr must be"),
    (dict(sheet="basic", epochs=0), "epochs must be a positive integer"),
])
def test_replay_rejects_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        gu.replay(**bad)
